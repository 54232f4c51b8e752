"""Ids of the generated objects, one formula per kind, shared by the delivery reports
(``bench.generate``, ``bench.meta_sql``) and the entity snapshots (``bench.entities``), so
every report row finds its campaign, ad set and ad."""

from __future__ import annotations

#: kind -> (first id, ids each owner reserves): object ``n`` of owner ``o`` is
#: ``first + o * reserved + n``; kinds without an owner are ``first + n``.
ID_SPACES: dict[str, tuple[int, int | None]] = {
    "meta_account": (100000, None),
    "meta_campaign": (20000000, 100000),
    "meta_adset": (30000000, 100000),
    "meta_ad": (4000000000, 1000),
    "meta_creative": (5000000000, 1000),
    "tiktok_advertiser": (7000000000000000000, None),
    "tiktok_campaign": (1700000000000000000, 100000),
    "tiktok_adgroup": (1710000000000000000, 100000),
    "tiktok_ad": (1800000000000000000, 1000),
    "tiktok_identity": (7100000000000000000, None),
    "tiktok_store": (7400000000000000000, None),
    "gmv_max_campaign": (1810000000000000000, None),
}


def id_sql(kind: str, number: str, owner: str | None = None) -> str:
    """SQL text of the id of object ``number`` (of ``owner``, for owned kinds) of ``kind``.

    Meta ads and creatives are owned by their delivery slot, ``number`` being the generation.
    """
    first, reserved = ID_SPACES[kind]
    owned = "" if reserved is None else f" + {owner} * {reserved}"
    return f"cast({first}{owned} + {number} as varchar)"
