"""Pipelines as data: each lists its open stages in order, with a default probability
and forecast category, and ends in closed_won and closed_lost."""
from __future__ import annotations

from sqlalchemy import select

from crmkit.errors import Conflict, ValidationFailed, check_version
from crmkit.schemas import load
from crmkit.unit_of_work import UnitOfWork

from . import domain, schemas
from .models import Opportunity, Pipeline, PipelineStage

pipeline_out = schemas.PipelineOut()


def _stages(open_stages: list[dict]) -> list[PipelineStage]:
    domain.check_pipeline_stages(open_stages)
    stages = [(s["name"], s["probability"], s["forecast_category"]) for s in open_stages]
    stages += [(name, probability, category) for name, (probability, category) in domain.CLOSED_STAGES.items()]
    return [PipelineStage(position=position, name=name, probability=probability, forecast_category=category)
            for position, (name, probability, category) in enumerate(stages, start=1)]


def _make_default(unit: UnitOfWork, pipeline: Pipeline) -> None:
    # Through the version check: of two pipelines made the default at once, one wins.
    for other in unit.session.scalars(select(Pipeline).where(Pipeline.is_default, Pipeline.id != pipeline.id)):
        unit.update(other, {"is_default": False}, pipeline_out, "pipeline.updated")


def _check_name_free(unit: UnitOfWork, name: str, pipeline_id: str | None = None) -> None:
    taken = unit.session.scalar(select(Pipeline.id).where(Pipeline.name == name))
    if taken and taken != pipeline_id:
        raise Conflict(f"A pipeline named {name!r} exists already.", {"name": name, "pipeline_id": taken})


def create_pipeline(unit: UnitOfWork, data: dict) -> dict:
    fields = load(schemas.PipelineIn, data)
    _check_name_free(unit, fields["name"])
    pipeline = Pipeline(name=fields["name"], is_default=fields["is_default"], owner_id=unit.call.actor,
                        stages=_stages(fields["stages"]))
    if pipeline.is_default:
        unit.session.add(pipeline)
        unit.session.flush()
        _make_default(unit, pipeline)
    return unit.add(pipeline, pipeline_out, "pipeline.created")


def update_pipeline(unit: UnitOfWork, pipeline_id: str, data: dict, expected_version: int | None = None) -> dict:
    """Rename, reorder, reprice or add stages. A stage that deals are still in cannot be
    removed (move them first); deals keep the probability they have."""
    # Partial at the top only: the stages given are complete lists of complete stages.
    fields = load(schemas.PipelineIn(partial=("name", "stages", "is_default")), data)
    pipeline = unit.get(Pipeline, pipeline_id)
    check_version("pipeline", pipeline, expected_version)
    changes = {}
    if "name" in fields:
        _check_name_free(unit, fields["name"], pipeline.id)
        changes["name"] = fields["name"]
    if fields.get("is_default"):
        _make_default(unit, pipeline)
        changes["is_default"] = True
    elif "is_default" in data and fields.get("is_default") is False and pipeline.is_default:
        raise Conflict("Make another pipeline the default instead.", {"is_default": True})

    def apply_stages(pipeline: Pipeline) -> None:
        wanted = _stages(fields["stages"])
        kept = {stage.name for stage in wanted}
        removed = [stage.name for stage in pipeline.stages if stage.name not in kept]
        in_use = unit.session.scalars(select(Opportunity.stage).distinct().where(
            Opportunity.pipeline_id == pipeline.id, Opportunity.stage.in_(removed))).all() if removed else []
        if in_use:
            raise Conflict(f"Opportunities are in stage {', '.join(sorted(in_use))}; move them first.",
                           {"stages_in_use": sorted(in_use)})
        # Stages that keep their name keep their row (a delete and an insert of the same
        # name would trip the unique constraint in the flush's order).
        current = {stage.name: stage for stage in pipeline.stages}
        stages = []
        for stage in wanted:
            row = current.get(stage.name, stage)
            row.position, row.probability = stage.position, stage.probability
            row.forecast_category = stage.forecast_category
            stages.append(row)
        pipeline.stages = stages

    return unit.update(pipeline, changes, pipeline_out, "pipeline.updated",
                       apply=apply_stages if "stages" in fields else None)


def get_pipeline(unit: UnitOfWork, pipeline_id: str) -> dict:
    return pipeline_out.dump(unit.get(Pipeline, pipeline_id))


def list_pipelines(unit: UnitOfWork) -> list[dict]:
    return pipeline_out.dump(unit.session.scalars(select(Pipeline).order_by(Pipeline.name)), many=True)


def pipeline_for(unit: UnitOfWork, pipeline_id: str | None) -> Pipeline:
    """The pipeline asked for, or the default one."""
    if pipeline_id:
        return unit.get(Pipeline, pipeline_id)
    pipeline = unit.session.scalar(select(Pipeline).where(Pipeline.is_default))
    return pipeline or unit.get(Pipeline, domain.DEFAULT_PIPELINE_ID)


def stage_of(pipeline: Pipeline, name: str, field: str = "stage") -> PipelineStage:
    for stage in pipeline.stages:
        if stage.name == name:
            return stage
    names = ", ".join(stage.name for stage in pipeline.stages)
    raise ValidationFailed({field: [f"Not a stage of pipeline {pipeline.name!r}: {names}."]})
