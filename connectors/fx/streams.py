"""The FX stream, declared as data and registered for the generic loader."""

from __future__ import annotations

from connectors.common.streams import NUMERIC_TEXT, StreamSpec, register

SOURCE = "fx"
SOURCE_LABEL = "ecb_eurofxref"
PROVIDER = "ecb"

# One row per published number: the CSV's wide rows unpivoted; the rate stays the file's text.
ECB_RATES = register(
    StreamSpec(
        name="ecb_rates",
        source=SOURCE,
        source_label=SOURCE_LABEL,
        columns={
            "provider": "VARCHAR",
            "date": "DATE",
            "currency": "VARCHAR",
            "rate": NUMERIC_TEXT,
        },
        key=("provider", "date", "currency"),
        window_column="date",
        account_column="provider",
    )
)
