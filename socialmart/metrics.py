"""`socialmart metrics`: the dbt semantic layer, answered by MetricFlow over the published marts.

MetricFlow (dbt's semantic layer engine) plans each question from the semantic models and
metrics declared in the marts' YAML and renders DuckDB SQL; this module runs that SQL on the
published file, read-only, in an in-memory DuckDB that attaches it. Readers never open the
warehouse. Values come back as DuckDB returns them (decimals stay exact): MetricFlow's own
result table would turn them into floats.

People name what they group by in plain words (``--by placement --by week``); the words map
to MetricFlow's names for the fact the metrics come from. Grouping by a placement word makes
``spend``/``revenue``/``roas``/``cpa`` the placement fact's metrics (``placement_spend`` ...),
grouping by ``creator`` the creator fact's, and ``placement_share`` is each placement's share
of the spend of its group (the other ``--by`` columns).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from socialmart.settings import Settings

log = logging.getLogger(__name__)

SEMANTIC_MANIFEST = "semantic_manifest.json"
PUBLISHED_CATALOG = "published"
TIME_GRAINS = ("day", "week", "month", "quarter", "year")
# A day per row from far before to far after any report day: MetricFlow's time spine, built in
# memory so readers need no helper table in the published file.
_TIME_SPINE_SQL = (
    "create view memory.main.metricflow_time_spine as select cast(range as date) as date_day "
    "from range(date '2000-01-01', date '2101-01-01', interval 1 day)"
)

# Plain words for --by, per fact (the primary entity of the metrics' semantic model).
_PLACEMENT_WORDS = {
    "placement": ["platform", "publisher_platform"],
    "position": ["platform", "publisher_platform", "platform_position"],
    "advantage_plus": ["is_advantage_plus_campaign"],
    "threads_inclusion": ["threads_inclusion"],
}
_WORDS = {
    "ad_day": {"platform": ["platform"], "campaign": ["platform", "campaign"]},
    "placement_day": {
        "platform": ["platform"],
        "campaign": ["platform", "campaign"],
        **_PLACEMENT_WORDS,
    },
    "creator_day": {"creator": ["creator", "creator__display_name"]},
}
# The metric a word means on the placement and creator facts.
_FACT_METRICS = {
    "placement_day": {
        "spend": "placement_spend",
        "revenue": "placement_revenue",
        "roas": "placement_roas",
        "cpa": "placement_cpa",
        "purchase_count": "placement_purchases",
    },
    "creator_day": {
        "spend": "creator_spend",
        "revenue": "creator_revenue",
        "roas": "creator_roas",
    },
}
PLACEMENT_SHARE = "placement_share"


class MetricsError(ValueError):
    """The question cannot be answered as asked; the message says why and what can be."""


@dataclass(frozen=True)
class Answer:
    """A question's answer: column names, rows and the SQL that produced them."""

    metrics: list[str]
    columns: list[str]
    rows: list[tuple[Any, ...]]
    sql: str


def semantic_manifest_path(settings: Settings) -> Path:
    """The semantic manifest dbt wrote, or a fresh one when the models' YAML is newer.

    dbt writes ``semantic_manifest.json`` beside ``manifest.json`` on every parse or build
    (``settings.dbt_target_dir``). When that one is missing or stale, ``dbt parse`` (no
    warehouse needed) writes one under ``<home>/metrics/dbt_target``, never into the
    pipeline's target folder, which a running build may be writing.
    """
    newest_yaml = max(
        p.stat().st_mtime for p in (settings.dbt_project_dir / "models").rglob("*.yml")
    )
    own = replace(settings, dbt_target_dir=settings.home / "metrics" / "dbt_target")
    for candidate in (settings, own):
        path = candidate.dbt_target_dir / SEMANTIC_MANIFEST
        if path.exists() and path.stat().st_mtime >= newest_yaml:
            return path
    from socialmart.transform import parse_manifest

    log.info("semantic manifest missing or older than the models' YAML: running dbt parse")
    parse_manifest(own)
    return own.dbt_target_dir / SEMANTIC_MANIFEST


def _reader_manifest(raw: dict[str, Any]) -> dict[str, Any]:
    """The manifest with every semantic model read from the published file (schema main)."""
    for model in raw["semantic_models"]:
        relation = model["node_relation"]
        relation.update(
            database=PUBLISHED_CATALOG,
            schema_name="main",
            relation_name=f'"{PUBLISHED_CATALOG}"."main"."{relation["alias"]}"',
        )
    for spine in raw["project_configuration"]["time_spines"]:
        spine["node_relation"].update(
            database="memory",
            schema_name="main",
            relation_name='"memory"."main"."metricflow_time_spine"',
        )
    return raw


class _DuckDbRenderer:
    """The SQL client MetricFlow plans with: DuckDB's dialect; it runs nothing itself."""

    def __init__(self) -> None:
        from metricflow.protocols.sql_client import SqlEngine
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        self.sql_engine_type = SqlEngine.DUCKDB
        self.sql_plan_renderer = DuckDbSqlPlanRenderer()

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"

    def close(self) -> None:
        """Nothing to close: queries run on the reader's own connection."""


class SemanticLayer:
    """MetricFlow's engine over the semantic manifest, answering on the published file."""

    def __init__(self, manifest_path: Path, published_path: Path) -> None:
        from metricflow.engine.metricflow_engine import MetricFlowEngine
        from metricflow_semantics.model.dbt_manifest_parser import (
            parse_manifest_from_dbt_generated_manifest,
        )
        from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

        if not published_path.exists():
            raise MetricsError(f"no published marts at {published_path}: run the pipeline first")
        raw = _reader_manifest(json.loads(manifest_path.read_text()))
        self.published_path = published_path
        self._metrics = {m["name"]: m for m in raw["metrics"]}
        self._model_of_measure = {
            measure["name"]: model
            for model in raw["semantic_models"]
            for measure in model["measures"]
        }
        manifest = parse_manifest_from_dbt_generated_manifest(json.dumps(raw))
        self._engine = MetricFlowEngine(SemanticManifestLookup(manifest), _DuckDbRenderer())

    def metrics(self) -> list[tuple[str, str, str]]:
        """Every metric: name, the semantic model(s) it comes from, label."""
        return sorted(
            (name, ",".join(self._models(name, "name")), metric.get("label") or "")
            for name, metric in self._metrics.items()
        )

    def ask(
        self,
        metrics: list[str],
        by: list[str],
        *,
        start: date | None = None,
        end: date | None = None,
        where: list[str] | None = None,
        limit: int | None = None,
    ) -> Answer:
        """Answer ``metrics`` grouped ``by`` plain words or MetricFlow names, ``start..end``."""
        from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

        metric_names, group_by, share = self._resolve(metrics, by)
        request = MetricFlowQueryRequest.create(
            metric_names=metric_names,
            group_by_names=group_by,
            time_constraint_start=datetime.combine(start, datetime.min.time()) if start else None,
            time_constraint_end=datetime.combine(end, datetime.min.time()) if end else None,
            where_constraints=where or None,
            order_by_names=group_by,
            limit=limit,
        )
        try:
            sql = self._engine.explain(request).sql_statement.sql
        except Exception as error:  # MetricFlow's messages name the valid choices
            raise MetricsError(str(error)) from error
        sql = _with_campaign_names(_with_share(sql, group_by, share), group_by)
        with self.connect() as con:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
        return Answer(metric_names + ([PLACEMENT_SHARE] if share else []), columns, rows, sql)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB with the published file attached read-only and the time spine."""
        con = duckdb.connect()
        con.execute(f"attach '{self.published_path}' as {PUBLISHED_CATALOG} (read_only)")
        con.execute(_TIME_SPINE_SQL)
        return con

    def _models(self, metric: str, key: str) -> list[str]:
        """``key`` (name, primary entity) of the semantic models the metric's measures are in."""
        measures = self._metrics[metric]["type_params"]["input_measures"]
        models = [self._model_of_measure[m["name"]] for m in measures]
        return sorted({m["name"] if key == "name" else _primary_entity(m) for m in models})

    def _resolve(self, metrics: list[str], by: list[str]) -> tuple[list[str], list[str], bool]:
        """MetricFlow's metric and group-by names for a question in plain words."""
        fact = _fact_of_words(by)
        share = PLACEMENT_SHARE in metrics
        if share and fact != "placement_day":
            raise MetricsError("placement_share needs --by placement or --by position")
        names: list[str] = []
        for metric in [m for m in metrics if m != PLACEMENT_SHARE]:
            name = _FACT_METRICS.get(fact or "", {}).get(metric, metric)
            names += [] if name in names else [name]
        names += ["placement_spend"] if share and "placement_spend" not in names else []
        unknown = [m for m in names if m not in self._metrics]
        if unknown:
            raise MetricsError(f"unknown metric(s) {unknown}; `socialmart metrics list` lists them")
        facts = {entity for m in names for entity in self._models(m, "entity")}
        if len(facts) > 1 and any(word not in TIME_GRAINS for word in by):
            models = sorted({model for m in names for model in self._models(m, "name")})
            raise MetricsError(
                f"{', '.join(names)} come from different semantic models ({', '.join(models)}): "
                "group them by time only, or ask separately"
            )
        fact = fact or (facts.pop() if len(facts) == 1 else None)
        group_by: list[str] = []
        for word in by:
            for name in _group_by_names(word, fact):
                if name not in group_by:
                    group_by.append(name)
        return names, group_by, share


def _primary_entity(model: dict[str, Any]) -> str:
    if model.get("primary_entity"):
        return model["primary_entity"]
    return next(e["name"] for e in model["entities"] if e["type"] == "primary")


def _fact_of_words(by: list[str]) -> str | None:
    """The fact a --by word pins (placement words: placements; creator: creators)."""
    if any(word in _PLACEMENT_WORDS for word in by):
        return "placement_day"
    if "creator" in by:
        return "creator_day"
    return None


def _group_by_names(word: str, fact: str | None) -> list[str]:
    if word in TIME_GRAINS:
        return [f"metric_time__{word}"]
    if "__" in word:  # a MetricFlow name, as `mf` takes it
        return [word]
    words = _WORDS.get(fact or "", {})
    if word not in words:
        known = sorted({*TIME_GRAINS, *(w for table in _WORDS.values() for w in table)})
        raise MetricsError(f"cannot group these metrics by {word!r}; words: {', '.join(known)}")
    return [n if n.startswith("creator") else f"{fact}__{n}" for n in words[word]]


def _with_share(sql: str, group_by: list[str], share: bool) -> str:
    """Add each placement's share of its group's placement spend."""
    if not share:
        return sql
    placement = {f"placement_day__{c}" for c in ("publisher_platform", "platform_position")}
    partition = [c for c in group_by if c not in placement and c != "placement_day__platform"]
    over = f"partition by {', '.join(partition)}" if partition else ""
    return (
        f"select *, placement_spend / nullif(sum(placement_spend) over ({over}), 0) "
        f"as {PLACEMENT_SHARE} from ({sql}) as answer order by {', '.join(group_by)}"
    )


def _with_campaign_names(sql: str, group_by: list[str]) -> str:
    """Name each campaign from the published dim_campaigns (its grain: platform x campaign_id)."""
    campaign = next((c for c in group_by if c.endswith("__campaign")), None)
    if campaign is None:
        return sql
    platform = campaign.replace("__campaign", "__platform")
    return (
        f"select answer.{campaign}, campaigns.campaign_name, answer.* exclude ({campaign}) "
        f"from ({sql}) as answer left join {PUBLISHED_CATALOG}.main.dim_campaigns as campaigns "
        f"on campaigns.platform = answer.{platform} and campaigns.campaign_id = answer.{campaign} "
        f"order by {', '.join(f'answer.{c}' for c in group_by)}"
    )


def layer(settings: Settings) -> SemanticLayer:
    """The semantic layer over ``settings.published_marts_path``."""
    for name in ("metricflow", "metricflow_semantics"):  # its planning logs, INFO per query
        logging.getLogger(name).setLevel(logging.WARNING)
    return SemanticLayer(semantic_manifest_path(settings), settings.published_marts_path)


def format_table(answer: Answer) -> str:
    """The answer as aligned text: amounts with thousands separators, ratios to 4 places."""
    cells = [[_cell(value) for value in row] for row in answer.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(answer.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(answer.columns, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.4f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
