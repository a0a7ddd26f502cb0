"""The read-only public API (Django REST framework): published data only."""
