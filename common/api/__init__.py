"""The API's building blocks: each app's serializers and viewsets subclass these; minusma/api.py routes them."""
