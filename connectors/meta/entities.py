"""Pulling the entity snapshots of one ad account: the account, campaigns, ad sets, ads and
ad creatives, each as one spool unit (the whole account is the window)."""

from __future__ import annotations

from connectors.common.spool import SpoolWriter
from connectors.common.streams import StreamSpec
from connectors.meta.client import MetaClient
from connectors.meta.streams import AD_ACCOUNTS


def pull_entities(api: MetaClient, writer: SpoolWriter, spec: StreamSpec, account: str) -> None:
    """Write the account's complete current set of ``spec``'s objects into the unit.

    The ad account is one object (``GET act_{id}``); the other streams are edges paged to
    the end, asking for every effective status so archived and deleted objects are kept.

    Args:
        api: The Meta client.
        writer: The unit to write (committed by the caller).
        spec: One of the entity streams.
        account: Ad account id without ``act_``.
    """
    path = spec.path.format(account_id=account)
    if spec is AD_ACCOUNTS:
        writer.write_page([api.get(path, spec.params, account=account)])
        return
    params = {**spec.params, "limit": str(api.settings.page_limit)}
    for page in api.pages(path, params, account=account):
        writer.write_page(page)
