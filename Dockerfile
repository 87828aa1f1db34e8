# The app under gunicorn with production settings. Configuration comes from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=minusma.settings.production

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs a key to import the settings; it is not used at run time.
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --system --home /app minusma && chown -R minusma /app
USER minusma
EXPOSE 8000
# Bind address, workers and the missing Server banner: gunicorn.conf.py.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "minusma.wsgi"]
