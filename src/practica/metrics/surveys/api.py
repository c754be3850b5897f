from ninja import Router

router = Router(tags=["pulse surveys"])
