"""Materialised-path trees (topics, org units): one prefix query finds a node's subtree."""

from django.db import models

from practica.core.models import TREE_PATH_SEPARATOR


def child_path(parent_path: str | None, slug: str) -> str:
    """The path of a node called `slug` under a parent whose path is `parent_path`."""
    base = parent_path or TREE_PATH_SEPARATOR
    return f"{base}{slug}{TREE_PATH_SEPARATOR}"


def path_depth(path: str) -> int:
    return path.strip(TREE_PATH_SEPARATOR).count(TREE_PATH_SEPARATOR)


def subtree_filter(path: str, field: str = "path") -> models.Q:
    """A Q matching the node with `path` and every node below it."""
    return models.Q(**{f"{field}__startswith": path})
