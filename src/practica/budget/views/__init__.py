"""Budget and grant screens; each module lists its own routes (`budget.urls` gathers them)."""
