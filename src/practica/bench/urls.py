"""The site's URLs plus `bench/bare/`, reachable only on the benchmark's own server."""

from django.urls import path

from practica.bench.views import bare
from practica.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *site_urlpatterns]
