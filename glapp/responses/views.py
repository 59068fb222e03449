"""Import and export pages. Thin: permission, form, then the import/export modules do the work."""

import datetime as dt
import re
from pathlib import PurePath

from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from glapp.accounts.models import AuditEntry
from glapp.accounts.web_access import audit, member_view
from glapp.core.errors import GlappError
from glapp.responses import actions, exporting, queries
from glapp.responses.catalog import Catalog
from glapp.responses.forms import MappingForm, UploadForm
from glapp.responses.importing.dates import LABELS
from glapp.responses.importing.jobs import ERROR_CAP, start_import
from glapp.responses.importing.mapping import MappingUnusable, proposed_mapping, question_keys
from glapp.responses.importing.options import ImportOptions
from glapp.responses.importing.reading import TableError, read_preview
from glapp.responses.importing.storage import error_file_path, store_upload, stored_file_path
from glapp.responses.importing.suggest import distinct_values, questions_by_key, suggest_for
from glapp.responses.importing.values import References
from glapp.responses.models import ImportJob
from glapp.responses.queries import ResponseFilter
from glapp.surveys.queries import surveys_of

SESSION_KEY = "glapp_import_files"  # sha256 → the uploaded file's name
WORKER_PATIENCE = dt.timedelta(seconds=15)  # a worker polls every second; longer means busy, or none runs


def _require(access, permission: str) -> None:
    if not access.can(permission):
        raise Http404  # as if absent: no hint that the page exists for others


@member_view
def import_upload(request, access):
    _require(access, "import")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sha = store_upload(access.organization_id, upload.chunks())
        try:
            read_preview(stored_file_path(access.organization_id, sha))
        except TableError as exc:
            form.add_error("file", _("The file cannot be read: %(reason)s") % {"reason": exc})
        else:
            files = request.session.get(SESSION_KEY, {})
            files[sha] = PurePath(upload.name).name[:255]
            request.session[SESSION_KEY] = files
            return redirect("responses:import_map", sha=sha)
    return render(request, "responses/import_upload.html", {
        "form": form, "jobs": queries.recent_import_jobs(access), "sources": queries.import_sources(access),
    })


@member_view
def import_map(request, access, sha: str):
    _require(access, "import")
    org_id = access.organization_id
    try:
        path = stored_file_path(org_id, sha)
    except ValueError:
        raise Http404 from None
    if not path.exists():
        raise Http404  # each organization only reaches files under its own folder
    filename = request.session.get(SESSION_KEY, {}).get(sha, "upload")
    try:
        header, sample, table = read_preview(path)
    except TableError as exc:
        return render(request, "responses/import_map.html", {"error": str(exc), "filename": filename}, status=400)

    catalog = Catalog.load(org_id)
    references = References.load(org_id, catalog)
    source_name = (request.POST.get("source") or request.GET.get("source") or PurePath(filename).stem)[:120]
    source = queries.import_source_named(org_id, source_name)
    defaults = dict(source.defaults) if source else {}
    initial_mapping = proposed_mapping(header, catalog, source, defaults.get("survey"))
    saved = ImportOptions.from_dict(source.options if source else {})
    initial = {"source": source_name, "default_survey": defaults.get("survey", ""),
               "default_channel": defaults.get("channel", ""), "date_format": saved.date_format,
               "time_zone": saved.time_zone}

    def mapping_form(data, mapping, options, values_initial):
        return MappingForm(
            data, header=header, question_keys=question_keys(catalog), initial_mapping=mapping,
            surveys=[(s.code, f"{s.name} ({s.code})") for s in surveys_of(org_id) if s.code in catalog.surveys],
            value_columns=_value_columns(path, header, mapping, catalog, references, options, values_initial),
            value_lists=references.names,
            customers_zone=customers_time_zone(org_id), initial=initial)

    if request.method == "POST":  # the value fields follow the columns as the user mapped them
        posted = {column: request.POST.get(f"col_{i}", "") for i, column in enumerate(header)}
        form = mapping_form(request.POST, posted, saved, request.POST.get("default_survey") or None)
    else:
        form = mapping_form(None, initial_mapping, saved, defaults.get("survey"))
    problems = []
    if request.method == "POST" and request.POST.get("action") == "values" and form.is_valid():
        # "Show the values": the page again, with the value maps for the columns as now mapped.
        chosen = ImportOptions.from_dict(form.options())
        chosen.values = {c: {**saved.values.get(c, {}), **v} for c, v in chosen.values.items()} or saved.values
        initial.update(source=form.cleaned_data["source"], default_survey=form.cleaned_data["default_survey"],
                       default_channel=form.cleaned_data["default_channel"], date_format=chosen.date_format,
                       time_zone=chosen.time_zone)
        form = mapping_form(None, form.mapping(), chosen, form.cleaned_data["default_survey"] or None)
    elif request.method == "POST" and form.is_valid():
        # The form owns survey and channel; other saved defaults (set from the CLI) are kept.
        kept = {k: v for k, v in defaults.items() if k not in ("survey", "channel")}
        options = form.options()
        # Values of saved maps that this file's first rows do not show are kept.
        for column, values in saved.values.items():
            options["values"][column] = {**values, **options["values"].get(column, {})}
        try:
            job = start_import(
                org_id, filename=filename, file_sha256=sha, mapping=form.mapping(),
                defaults={**kept, **form.defaults()}, dry_run=request.POST.get("action") != "import",
                header=header, catalog=catalog, save_as=form.cleaned_data["source"], created_by=request.user,
                unit_path=access.unit_path, options=options)
        except MappingUnusable as exc:
            problems = exc.problems
        else:
            return redirect("responses:import_job", job_id=job.pk)
    rows = [[*r, *[""] * (len(header) - len(r))][: len(header)] for r in sample]
    return render(request, "responses/import_map.html", {
        "form": form, "filename": filename, "table": table, "problems": problems,
        "columns": [(column, field, [r[i] for r in rows]) for i, (column, field) in enumerate(form.column_fields())],
        "sources": queries.import_sources(access),
    })


NO_VALUE_MAP = {"", "submitted_at", "external_id", "customer_id"}


def _value_columns(path, header: list[str], mapping: dict[str, str], catalog: Catalog, references: References,
                   saved: ImportOptions, survey: str | None) -> list:
    """The columns whose values may be mapped on the page (few distinct values, a target that
    reads codes, scores or choices), each with its values, their saved or suggested targets and
    the column's target."""
    questions = questions_by_key(catalog)
    out = []
    for index, distinct in sorted(distinct_values(path, len(header)).items()):
        column = header[index]
        target = mapping.get(column, column)
        question = questions.get(target)
        if target in NO_VALUE_MAP or target.startswith("meta.") or (question and question.type == "text"):
            continue
        initial = {**suggest_for(target, distinct, catalog, references, questions, survey),
                   **saved.values.get(column, {})}
        out.append((index, column, distinct, initial, target))
    return out


def customers_time_zone(org_id: int) -> str:
    from glapp.contacts.queries import contact_policy  # contacts is below responses

    return contact_policy(org_id).time_zone


@member_view
@require_GET
def import_job(request, access, job_id: int):
    _require(access, "import")
    job = queries.import_job_for(access, job_id)
    if job is None:
        raise Http404
    template = "responses/_import_job_status.html" if request.htmx else "responses/import_job.html"
    # A job still pending after a while: the worker is busy, or none runs. Say so rather than spin.
    waiting = job.status == ImportJob.Status.PENDING and timezone.now() - job.created_at > WORKER_PATIENCE
    return render(request, template, {"job": job, "valid": job.total_rows - job.rejected_count,
                                      "error_cap": ERROR_CAP, "no_worker": waiting,
                                      "error_file": _error_file(request, access, job) is not None,
                                      **_summary_context(access, job)})


def _error_file(request, access, job: ImportJob):
    """The finished job's file of rejected rows, unless there is none (or it was erased since).
    It holds the file's cells as written, comments unredacted: for the member who ran the job
    and for those who may read personal data, not for every colleague who sees the job."""
    if not job.finished_at or not job.error_file_size:
        return None
    if job.created_by_id != request.user.pk and not access.can("pii"):
        return None
    path = error_file_path(job.organization_id, job.pk)
    return path if path.is_file() else None


@member_view
@require_GET
def import_job_errors(request, access, job_id: int):
    """Every rejected row of a job, in the file's own columns plus the reason: to fix and import
    again with the same mapping. Only for those who see the job (its organization, their units)
    and ran it or may read personal data."""
    _require(access, "import")
    job = queries.import_job_for(access, job_id)
    path = _error_file(request, access, job) if job is not None else None
    if path is None:
        raise Http404
    # The file holds what the rows said, as written: its download is audited as an export.
    audit(request, access, AuditEntry.Action.RESPONSES_EXPORTED, target_type="import_job", target=job.pk,
          details={"rejected_rows": True, "unredacted": True, "via": "web"})
    stem = re.sub(r"[^\w.-]+", "-", PurePath(job.filename).stem).strip("-.") or "import"
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{stem}-rejected-rows.csv",
                        content_type="text/csv; charset=utf-8")


def _summary_context(access, job: ImportJob) -> dict:
    """What the dry run read, for its page: the dates and how, the values and what they became,
    what is missing and whether this member may create it."""
    summary = job.summary or {}
    dates = dict(summary.get("dates") or {})
    if dates:
        dates["label"] = LABELS.get(dates.get("format") or "", "")
        dates["confirm"] = bool(dates.get("detected") and dates.get("format") not in ("", "iso", None))
        dates["ask"] = bool(dates.get("ambiguous") or dates.get("mixed"))
    may = {"touchpoint": access.can("manage"), "unit": access.can("manage"), "survey": access.can("surveys")}
    missing = [(kind, entries, may.get(kind, False)) for kind, entries in (summary.get("missing") or {}).items()]
    stages = []
    if any(kind == "touchpoint" and allowed for kind, _e, allowed in missing):
        from glapp.journeys.queries import journeys_of  # journeys is below responses

        stages = [(stage.pk, f"{journey.name} › {stage.name}") for journey in journeys_of(access.organization_id)
                  for stage in journey.stages.all()]
    return {"dates": dates, "value_summary": summary.get("values") or {}, "missing": missing, "stages": stages,
            "formats": list(LABELS.items())}


@member_view
@require_POST
def import_job_run(request, access, job_id: int):
    """After a dry run: import the same file with the same saved mapping; the user may confirm
    (or choose) the date format, which is saved with the mapping, and confirm creating what the
    dry run found missing. `action=dry_run` runs the dry run again instead."""
    _require(access, "import")
    dry = queries.import_job_for(access, job_id)
    if dry is None or dry.source is None:
        raise Http404
    options = ImportOptions.from_dict(dry.source.options)
    chosen = request.POST.get("date_format", "")
    if chosen in LABELS:
        options.date_format = chosen
        dry.source = actions.save_import_source(access.organization_id, dry.source.name, dry.source.mapping,
                                                dry.source.defaults, options.saved())
    if request.POST.get("create_missing"):
        options.create = _confirmed_creation(access, dry, request.POST.get("stage"))
    job = start_import(access.organization_id, filename=dry.filename, file_sha256=dry.file_sha256,
                       mapping=dry.source.mapping, defaults=dry.source.defaults,
                       dry_run=request.POST.get("action") == "dry_run", source=dry.source, created_by=request.user,
                       unit_path=access.unit_path, options=options.to_dict())
    return redirect("responses:import_job", job_id=job.pk)


def _confirmed_creation(access, job: ImportJob, stage: str | None) -> dict:
    """What the dry run found missing, of the kinds this member may create."""
    missing = (job.summary or {}).get("missing") or {}
    may = {"touchpoint": access.can("manage"), "unit": access.can("manage"), "survey": access.can("surveys")}
    create: dict = {f"{kind}s": entries for kind, entries in missing.items() if may.get(kind)}
    if stage and stage.isdigit():
        create["stage"] = int(stage)
    return create


@member_view
@require_GET
def export_csv(request, access):
    _require(access, "export")
    try:
        f = ResponseFilter.from_params(request.GET)
        lines = exporting.iter_csv_lines(access, f)
        first = next(lines)  # runs the query setup now, so a bad filter is a 400, not a broken download
    except ValueError as exc:
        return HttpResponseBadRequest(_("Invalid filter: %(reason)s") % {"reason": exc}, content_type="text/plain")
    except GlappError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")

    audit(request, access, AuditEntry.Action.RESPONSES_EXPORTED, target_type="responses",
          details={"filters": f.audit_params(), "unredacted": access.can("pii"), "via": "web"})

    def stream():
        yield first
        yield from lines

    name = re.sub(r"[^a-z0-9-]", "", access.organization.slug) or "responses"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    # The installation's day from Django's clock, as every shown date (the machine's date is another clock).
    today = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-responses-{today}.csv"'
    return response
