"""Reads of budgets and grants, shared by the pages, the API and the services' checks."""
