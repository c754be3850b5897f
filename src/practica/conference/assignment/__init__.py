"""Reviewer assignment: affinity of reviewers for proposals (`affinity`) and the min-cost flow
solver (`solver`, pure numpy/OR-Tools, no Django). The service that runs them on an edition is
`practica.conference.services.assignment`."""
