"""LangGraph Platform / LangSmith Deployment crons as agentcron tasks (shared/backends.md §0, §1).

A task is one LangGraph cron: `POST /runs/crons` (stateless: every fire runs on a new thread) or
`POST /threads/{chat_id}/runs/crons` (a thread cron: every fire continues that conversation).
The task id is the cron id (a UUID). What LangGraph lacks is emulated or refused:

* run now: there is no trigger endpoint, so the cron's own payload is posted as an ordinary run;
* run history: there is no per-cron run list. Stateless crons are created with
  `on_run_completed: "keep"` and a metadata tag (`agentcron_ref`, a UUID chosen before the cron
  id exists), so their kept threads are found with `POST /threads/search`; a thread cron's runs
  are its thread's runs that carry the tag (or its cron id);
* interval and one-off schedules, and catch_up/overlap policies: refused before any request
  (LangGraph applies its own policies; Task reports them as null).

Live-verified quirks this module works around (langgraph-api 0.16.7, in-mem runtime 0.36.7):
DELETE answers 204; `X-Pagination-Total` is only "next offset + 1" while more pages follow
(totals come from `/runs/crons/count` instead); search `assistant_id` must be a UUID; an empty
PATCH body is a 400; `end_time` breaks the in-mem scheduler (never sent); resuming a paused cron
keeps its stale `next_run_date` (it would fire at once) unless the schedule is sent as well.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from agentcron.backends.base import RUN_NOW_WAIT_SECONDS, Capabilities, TaskFilters
from agentcron.backends.hosted.common import (
    decode_offset,
    instant_text,
    not_found,
    not_found_answer,
    parse_instant,
    same_cron,
    utc_z,
)
from agentcron.backends.hosted.http import BackendHttp, BackendStatusError, redact
from agentcron.cadence.describe import describe_schedule
from agentcron.cadence.timeline import iso
from agentcron.cadence.zones import zone
from agentcron.config import Settings
from agentcron.errors import (
    BackendError,
    CapabilityError,
    ConfigError,
    InvalidRequestError,
    NotFoundError,
)
from agentcron.models import (
    MAX_OUTPUT_BYTES,
    AssistantInfo,
    AssistantList,
    Run,
    RunPage,
    RunStatus,
    Schedule,
    Task,
    TaskPage,
    TaskPatch,
    TaskSpec,
)

NAME = "langgraph"
NAME_KEY = "name"  # metadata key holding the task name (backends.md §0)
REF_KEY = "agentcron_ref"  # metadata tag that finds a task's runs; set at create, never changed
TRIGGER_KEY = "agentcron_trigger"  # run metadata: "manual" for run_scheduled_task_now
RESERVED_PREFIX = "agentcron_"

# LangGraph run status -> agentcron run status. "interrupted" (human-in-the-loop or cancelled)
# counts as failed with an error saying so, like an interrupted local run (DESIGN.md §3).
STATUSES: dict[str, RunStatus] = {
    "pending": "queued",
    "running": "running",
    "success": "succeeded",
    "error": "failed",
    "timeout": "timed_out",
    "interrupted": "failed",
}
IN_FLIGHT = frozenset({"pending", "running"})

# The keys of a stored cron payload that `POST /runs` accepts: run-now resends exactly these.
RUN_FIELDS = frozenset({
    "assistant_id", "input", "command", "metadata", "config", "context", "webhook",
    "interrupt_before", "interrupt_after", "stream_mode", "stream_subgraphs",
    "stream_resumable", "durability", "checkpoint_during", "multitask_strategy",
})

RUN_NOW_POLL_SECONDS = 0.5
THREAD_RUNS_BATCH = 100
ASSISTANT_SEARCH = "POST /assistants/search"
MAX_PAGE = 1000  # the largest page LangGraph searches return
CONCURRENT_REQUESTS = 8  # per-thread look-ups of one history page

CAPABILITIES = Capabilities(
    time_zones=True,
    interval=False,
    one_off=False,
    pause=True,
    update=True,
    get_one=True,
    run_now=True,  # emulated: the cron's payload posted as an ordinary run
    run_history=True,  # emulated: kept threads (stateless) or the cron's thread
    chat_id=True,  # a thread cron
    name=True,  # metadata.name
    metadata=True,  # merged on update, as LangGraph does
    policies=False,  # LangGraph applies its own catch-up and overlap behaviour
    min_cadence_seconds=60,
    # The server validates and evaluates with croniter, which reads L, L5 and 5#1 exactly as
    # agentcron writes them (checked live: 'last Friday' and 'first Friday' fire on the right days).
    cron_dialect="croniter",
    pagination="offset",
)

T = TypeVar("T")


def build(settings: Settings) -> LangGraphBackend:
    """The adapter for AGENTCRON_LANGGRAPH_URL (the deployment root); the API key is optional."""
    if not settings.langgraph_url:
        raise ConfigError(
            "AGENTCRON_BACKEND=langgraph needs AGENTCRON_LANGGRAPH_URL: the deployment's root URL, "
            "e.g. http://127.0.0.1:2024 for `langgraph dev`. Set AGENTCRON_LANGGRAPH_API_KEY too "
            "for a LangSmith deployment."
        )
    key = settings.langgraph_api_key.get_secret_value() if settings.langgraph_api_key else None
    headers = {"x-api-key": key} if key else {}
    http = BackendHttp(NAME, settings.langgraph_url, headers=headers, secrets=[key])
    return LangGraphBackend(http)


# --- small pure helpers ------------------------------------------------------------------------


def is_uuid(value: str) -> bool:
    """LangGraph refuses non-UUID ids with a 422; agentcron answers 'not found' without asking."""
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True


def describe(schedule: Schedule) -> str:
    """describe_schedule, tolerant of crons made outside agentcron (e.g. 6-field ones)."""
    try:
        return describe_schedule(schedule)
    except Exception:  # cron-descriptor raises its own types for shapes it cannot read
        return f"Cron '{schedule.cron}' ({schedule.timezone} time)"


def text_of(content: Any) -> str:
    """A chat message's content as text: a string, or the text parts of a content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
        return "".join(parts)
    return json.dumps(content)


def truncate(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= MAX_OUTPUT_BYTES:
        return text
    return data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="ignore")


def output_of(values: Any) -> str | None:
    """What a run produced: the last message's text for a messages graph, else the state as JSON."""
    if values is None:
        return None
    messages = values.get("messages") if isinstance(values, dict) else None
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        return truncate(text_of(messages[-1].get("content", "")))
    return truncate(json.dumps(values, default=str))


def error_text(error: Any) -> str | None:
    """A thread's `error` ({"error": "ValueError", "message": ...}) or a task's error string."""
    if not error:
        return None
    if isinstance(error, dict):
        kind, message = error.get("error"), error.get("message")
        return f"{kind}: {message}" if kind and message else str(message or kind or error)
    return str(error)


def user_metadata(metadata: Mapping[str, Any]) -> dict[str, str]:
    """The labels a user set: cron metadata without the keys agentcron keeps there."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in metadata.items()
        if key != NAME_KEY and not key.startswith(RESERVED_PREFIX)
    }


def check_metadata_keys(metadata: Mapping[str, str] | None) -> None:
    """Refuse labels that would overwrite what agentcron stores in LangGraph's metadata."""
    for key in metadata or {}:
        if key == NAME_KEY or key.startswith(RESERVED_PREFIX):
            raise InvalidRequestError(
                f"metadata key {key!r} is reserved on the langgraph backend (it holds the task's "
                f"{'name' if key == NAME_KEY else 'run-history tag'}); "
                + ("pass the name as `name`." if key == NAME_KEY else "choose another key.")
            )


def not_a_cron_id(task_id: str) -> NotFoundError:
    """Refused without a request: LangGraph would only answer 422 for an id that is no UUID."""
    return not_found(NAME, task_id, "its task ids are LangGraph cron ids (UUIDs), so no request "
                                    "was sent")


def next_offset_of(response: httpx.Response) -> int | None:
    """X-Pagination-Next: the offset of the next page, absent on the last one."""
    header = response.headers.get("X-Pagination-Next")
    return int(header) if header and header.isdigit() else None


async def _bounded(jobs: Iterable[Awaitable[T]]) -> list[T]:
    """Run look-ups concurrently, at most CONCURRENT_REQUESTS at a time, keeping their order."""
    gate = asyncio.Semaphore(CONCURRENT_REQUESTS)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(job) for job in jobs)))


# --- the backend ------------------------------------------------------------------------------


class LangGraphBackend:
    """Backend protocol over a LangGraph deployment's cron API."""

    name = NAME
    capabilities = CAPABILITIES

    def __init__(self, http: BackendHttp, *, input_key: str = "messages") -> None:
        """`input_key`: "messages" sends `{"messages": [{"role": "user", "content": prompt}]}`
        (MessagesState graphs, prebuilt agents); any other key sends `{key: prompt}`."""
        self.http = http
        self.input_key = input_key

    async def start(self) -> None:
        """Nothing to start: LangGraph's own scheduler fires the crons."""

    async def close(self) -> None:
        await self.http.aclose()

    # --- wire helpers ---------------------------------------------------------------------

    async def _call(
        self, method: str, path: str, *, allow_404: bool = False, **kwargs: Any
    ) -> tuple[httpx.Response, Any]:
        """One request; returns (response, JSON body or None).

        `allow_404` hands a 404 back (body None) so the caller can say what is missing; every
        other non-2xx is BackendHttp's readable error.
        """
        ok = (200, 201, 202, 204, 404) if allow_404 else (200, 201, 202, 204)
        response = await self.http.request(method, path, ok=ok, **kwargs)
        if not response.content or response.status_code == 404:
            return response, None
        try:
            return response, response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            snippet = redact(response.text[:120], self.http.secrets)
            raise BackendError(
                f"The {NAME} backend answered HTTP {response.status_code} to {method} {path} "
                "with a body that is not JSON "
                f"({snippet!r}). AGENTCRON_LANGGRAPH_URL may point at the wrong service."
            ) from None

    def input_for(self, prompt: str) -> dict[str, Any]:
        if self.input_key == "messages":
            return {"messages": [{"role": "user", "content": prompt}]}
        return {self.input_key: prompt}

    def input_with_prompt(self, graph_input: Any, prompt: str) -> dict[str, Any]:
        """The cron's input with only the prompt replaced: the part `prompt_of` reads.

        Other input keys and earlier messages (a system message, say) stay as they were.
        """
        if not isinstance(graph_input, dict):
            return self.input_for(prompt)
        messages = graph_input.get("messages")
        if (self.input_key == "messages" and isinstance(messages, list) and messages
                and isinstance(messages[-1], dict) and "content" in messages[-1]):
            return {**graph_input, "messages": [*messages[:-1], {**messages[-1], "content": prompt}]}
        return {**graph_input, **self.input_for(prompt)}

    def prompt_of(self, graph_input: Any) -> str:
        """The prompt back out of a cron's input; JSON for inputs agentcron did not write."""
        if isinstance(graph_input, dict):
            messages = graph_input.get("messages")
            if self.input_key == "messages" and isinstance(messages, list) and messages:
                last = messages[-1]
                if isinstance(last, dict) and "content" in last:
                    return text_of(last["content"])
            value = graph_input.get(self.input_key)
            if isinstance(value, str):
                return value
        return json.dumps(graph_input)

    def task_view(self, cron: Mapping[str, Any]) -> Task:
        tz = cron.get("timezone") or "UTC"
        schedule = Schedule(kind="cron", cron=cron.get("schedule"), timezone=tz)
        metadata = cron.get("metadata") or {}
        enabled = bool(cron.get("enabled", True))
        next_run = parse_instant(cron.get("next_run_date")) if enabled else None
        name = metadata.get(NAME_KEY)
        return Task(
            id=str(cron["cron_id"]),
            name=name if isinstance(name, str) else None,
            assistant_id=cron.get("assistant_id"),
            prompt=self.prompt_of((cron.get("payload") or {}).get("input")),
            schedule=schedule,
            description=describe(schedule),
            enabled=enabled,
            chat_id=cron.get("thread_id"),
            metadata=user_metadata(metadata),
            catch_up=None,
            overlap=None,
            next_run_at=iso(next_run.astimezone(zone(tz))) if next_run else None,
            last_run_at=None,  # LangGraph does not record it on the cron; see list_task_runs
            created_at=instant_text(cron.get("created_at")),
            updated_at=instant_text(cron.get("updated_at")),
            backend=NAME,
        )

    async def _cron_call(self, method: str, task_id: str, **kwargs: Any) -> Any:
        """A request on one cron's URL: its JSON body; a 404 is NotFoundError quoting LangGraph."""
        if not is_uuid(task_id):
            raise not_a_cron_id(task_id)
        path = f"/runs/crons/{task_id}"
        try:
            response, body = await self._call(method, path, **kwargs)
        except BackendStatusError as exc:
            if exc.status == 404:
                raise not_found_answer(task_id, exc) from None
            raise
        if method != "DELETE" and not isinstance(body, dict):
            raise self.http.unexpected(method, path, response.status_code, body, "a cron")
        return body

    async def _get_cron(self, task_id: str) -> dict[str, Any]:
        return await self._cron_call("GET", task_id)  # type: ignore[no-any-return]

    # --- assistants -------------------------------------------------------------------------

    async def _assistants(self) -> list[dict[str, Any]]:
        return (await self._assistant_search())[1]

    async def _assistant_search(self) -> tuple[int, list[dict[str, Any]]]:
        """The deployment's assistants, with the search's HTTP status (a not-found quotes it)."""
        response, found = await self._call(
            "POST", "/assistants/search", idempotent=True,
            json_body={"limit": MAX_PAGE, "offset": 0, "sort_by": "graph_id",
                       "sort_order": "asc"},
        )
        return response.status_code, list(found or [])

    @staticmethod
    def _handle(assistant: Mapping[str, Any]) -> str:
        """How a task names it: the graph name for a graph's default assistant, else its UUID."""
        if (assistant.get("metadata") or {}).get("created_by") == "system":
            return str(assistant["graph_id"])
        return str(assistant["assistant_id"])

    @staticmethod
    def _graphs(assistants: list[dict[str, Any]]) -> list[str]:
        return sorted({str(a["graph_id"]) for a in assistants if a.get("graph_id")})

    async def _default_assistant(self) -> str:
        """The only graph of the deployment; with several, the caller must choose (never guess)."""
        graphs = self._graphs(await self._assistants())
        if len(graphs) == 1:
            return graphs[0]
        listed = ", ".join(repr(g) for g in graphs) or "none"
        raise InvalidRequestError(
            f"The LangGraph deployment has {len(graphs)} graphs ({listed}): pass assistant_id "
            "naming the one to run, e.g. assistant_id='" + (graphs[0] if graphs else "agent")
            + "'. list_assistants shows them."
        )

    async def _assistant_uuid(self, value: str) -> str:
        """A filter value as the UUID LangGraph's search needs (it refuses graph names)."""
        if is_uuid(value):
            return value
        status, assistants = await self._assistant_search()
        by_graph = [a for a in assistants if self._handle(a) == value]
        by_name = [a for a in assistants if a.get("name") == value]
        for matches in (by_graph, by_name):
            if len(matches) == 1:
                return str(matches[0]["assistant_id"])
        if by_name:
            raise InvalidRequestError(
                f"{len(by_name)} assistants are named {value!r}: filter by one's UUID instead "
                "(list_assistants shows them)."
            )
        # Found by searching, not by a 404: say what the search answered.
        raise NotFoundError(
            f"No assistant or graph named {value!r} on the {NAME} backend: {ASSISTANT_SEARCH} "
            f"answered HTTP {status} with {len(assistants)} assistant"
            f"{'' if len(assistants) == 1 else 's'}, none with that graph id or name. "
            "Call list_assistants to see what a task can run."
        )

    async def list_assistants(self) -> AssistantList:
        assistants = await self._assistants()
        graphs = self._graphs(assistants)
        default = graphs[0] if len(graphs) == 1 else ""
        host = urlsplit(self.http.base_url).netloc or self.http.base_url
        infos = [
            AssistantInfo(
                name=self._handle(a),
                type="langgraph",
                is_default=self._handle(a) == default,
                summary=f"LangGraph graph '{a.get('graph_id')}', assistant '{a.get('name')}' "
                f"({a['assistant_id']}): each run is a LangGraph run on {host}",
            )
            for a in assistants
        ]
        return AssistantList(assistants=infos, default=default)

    # --- tasks ------------------------------------------------------------------------------

    async def create_task(self, spec: TaskSpec) -> Task:
        check_metadata_keys(spec.metadata)
        if spec.chat_id is not None and not is_uuid(spec.chat_id):
            raise InvalidRequestError(
                f"chat_id {spec.chat_id!r} is not a LangGraph thread id. On the langgraph backend "
                "a chat_id is the UUID of an existing thread (create one with POST /threads)."
            )
        assistant = spec.assistant_id or await self._default_assistant()
        metadata: dict[str, Any] = {**spec.metadata, REF_KEY: str(uuid.uuid4())}
        if spec.name is not None:
            metadata[NAME_KEY] = spec.name
        body: dict[str, Any] = {
            "assistant_id": assistant,
            "schedule": spec.schedule.cron,
            "timezone": spec.schedule.timezone,
            "input": self.input_for(spec.prompt),
            "metadata": metadata,
            "enabled": spec.enabled,
        }
        if spec.chat_id is None:
            path = "/runs/crons"
            body["on_run_completed"] = "keep"  # else LangGraph deletes every trace of a run
        else:
            path = f"/threads/{spec.chat_id}/runs/crons"
        try:
            response, cron = await self._call("POST", path, json_body=body)
        except BackendStatusError as exc:
            if exc.status == 404:
                raise self._create_not_found(exc, assistant, spec.chat_id) from None
            raise
        if not isinstance(cron, dict) or not cron.get("cron_id"):
            raise self.http.unexpected(
                "POST", path, response.status_code, cron, "the new cron",
                "It may have been created: call list_scheduled_tasks before trying again, so "
                "it is not created twice.")
        return self.task_view(cron)

    @staticmethod
    def _create_not_found(
        error: BackendStatusError, assistant: str, chat_id: str | None
    ) -> NotFoundError:
        said = f"the {NAME} backend answered {error.answer}"
        if chat_id is not None and "thread" in error.detail.lower():
            return NotFoundError(
                f"No LangGraph thread {chat_id!r}: {said}. Pass the id of an existing thread "
                "as chat_id, or leave chat_id out for a new thread per run."
            )
        return NotFoundError(
            f"No assistant or graph {assistant!r} on the LangGraph deployment: {said}. "
            "Call list_assistants to see what a task can run."
        )

    async def _search(
        self, query: dict[str, Any], offset: int, limit: int
    ) -> list[dict[str, Any]]:
        body = {**query, "limit": limit, "offset": offset, "sort_by": "next_run_date",
                "sort_order": "asc"}
        _, crons = await self._call("POST", "/runs/crons/search", json_body=body, idempotent=True)
        return list(crons or [])

    async def _totals(self, query: dict[str, Any]) -> tuple[int, int]:
        """(all, paused) crons matching `query`.

        Search's X-Pagination-Total is only a lower bound while more pages follow (it says
        "next offset + 1"), and count has no `enabled` filter: so count them all, and page
        through the paused ones' ids (few, usually one request).
        """
        _, everything = await self._call("POST", "/runs/crons/count", json_body=query,
                                         idempotent=True)
        paused, offset = 0, 0
        while True:
            response, ids = await self._call(
                "POST", "/runs/crons/search", idempotent=True,
                json_body={**query, "enabled": False, "select": ["cron_id"],
                           "limit": MAX_PAGE, "offset": offset},
            )
            paused += len(ids or [])
            next_offset = next_offset_of(response)
            if next_offset is None or next_offset <= offset:
                return int(everything or 0), paused
            offset = next_offset

    async def list_tasks(self, filters: TaskFilters, limit: int, cursor: str | None) -> TaskPage:
        """Soonest next run first, paused tasks last (enabled crons, then paused ones)."""
        offset = decode_offset(cursor)
        query: dict[str, Any] = {}
        if filters.chat_id is not None:
            if not is_uuid(filters.chat_id):
                raise InvalidRequestError(
                    f"chat_id {filters.chat_id!r} is not a LangGraph thread id (a UUID)."
                )
            query["thread_id"] = filters.chat_id
        if filters.assistant_id is not None:
            query["assistant_id"] = await self._assistant_uuid(filters.assistant_id)
        everything, paused = await self._totals(query)
        enabled_total = everything - paused
        if filters.enabled is not None:
            total = enabled_total if filters.enabled else paused
            page = await self._search({**query, "enabled": filters.enabled}, offset, limit)
        else:
            total = everything
            page = []
            if offset < enabled_total:
                page = await self._search({**query, "enabled": True}, offset, limit)
            room = limit - len(page)
            if room > 0 and offset + len(page) < total:
                page += await self._search(
                    {**query, "enabled": False}, max(0, offset - enabled_total), room
                )
        end = offset + len(page)
        return TaskPage(
            tasks=[self.task_view(c) for c in page],
            next_cursor=str(end) if page and end < total else None,
            total=max(total, end),
        )

    async def get_task(self, task_id: str) -> Task:
        return self.task_view(await self._get_cron(task_id))

    async def update_task(self, task_id: str, patch: TaskPatch) -> Task:
        given = patch.model_fields_set
        for field, moved in (("chat_id", "chat_id" in given or patch.clear_chat_id),
                             ("assistant_id", "assistant_id" in given)):
            if moved:
                raise CapabilityError(
                    f"The {NAME} backend cannot change a task's {field} (LangGraph's cron update "
                    f"has no such field). Delete the task and create it again with the new {field}."
                )
        check_metadata_keys(patch.metadata)
        if not is_uuid(task_id):
            raise not_a_cron_id(task_id)
        # A schedule, a prompt or a resume is compared with (or built from) the stored cron, so
        # nothing is sent that would rewrite a part the caller did not ask to change.
        needs_current = patch.schedule is not None or patch.prompt is not None or bool(patch.enabled)
        current = await self._get_cron(task_id) if needs_current else {}
        body: dict[str, Any] = {}
        if patch.schedule is not None:
            # A zone change restates the cron: keep its stored text ('MON-FRI' stays) and a
            # null zone stays null when the zone asked for is UTC.
            if not same_cron(current.get("schedule"), patch.schedule.cron):
                body["schedule"] = patch.schedule.cron
            if (current.get("timezone") or "UTC") != patch.schedule.timezone:
                body["timezone"] = patch.schedule.timezone
        if patch.prompt is not None:
            # LangGraph replaces `input` whole: keep what else the cron's input carries.
            body["input"] = self.input_with_prompt(
                (current.get("payload") or {}).get("input"), patch.prompt)
        metadata: dict[str, Any] = dict(patch.metadata or {})
        if patch.name is not None:
            metadata[NAME_KEY] = patch.name
        if metadata:
            body["metadata"] = metadata  # LangGraph merges it into the stored metadata
        if patch.enabled is not None:
            body["enabled"] = patch.enabled
            if patch.enabled and "schedule" not in body and "timezone" not in body:
                # Resuming alone keeps a stale next_run_date (it would fire at once); restating
                # the stored schedule text makes LangGraph compute the next one from now, in
                # the cron's own zone (not sent: a null zone would come back as "UTC").
                body["schedule"] = current.get("schedule")
        if not body:
            if patch.schedule is not None:  # restated as it is stored: nothing changes
                return self.task_view(current)
            raise InvalidRequestError(  # LangGraph answers an empty PATCH with 400
                "Nothing to update on the langgraph backend: pass prompt, schedule, timezone, "
                'name, metadata or enabled, e.g. {"task_id": "...", "enabled": false}.'
            )
        return self.task_view(await self._cron_call("PATCH", task_id, json_body=body))

    async def delete_task(self, task_id: str) -> None:
        """Delete the cron. Its kept threads (run history) stay on the deployment."""
        await self._cron_call("DELETE", task_id)

    # --- runs -------------------------------------------------------------------------------

    async def run_task_now(self, task_id: str) -> Run:
        """Post the cron's payload as an ordinary run, tagged like a fire, and wait up to 30 s."""
        cron = await self._get_cron(task_id)
        payload = cron.get("payload") or {}
        body = {k: v for k, v in payload.items() if k in RUN_FIELDS}
        body["assistant_id"] = cron.get("assistant_id") or payload.get("assistant_id")
        # Like a scheduled fire: the cron's metadata under the payload's (cron_scheduler.py).
        body["metadata"] = {**(cron.get("metadata") or {}), **(payload.get("metadata") or {}),
                            TRIGGER_KEY: "manual"}
        config = dict(body.get("config") or {})
        configurable = {k: v for k, v in (config.get("configurable") or {}).items()
                        if k not in ("cron_id", "langgraph_auth_user")}
        config.pop("configurable", None)
        if configurable:
            config["configurable"] = configurable
        body.pop("config", None)
        if config:
            body["config"] = config
        thread_id = cron.get("thread_id")
        if thread_id:
            path = f"/threads/{thread_id}/runs"
        else:
            path, body["on_completion"] = "/runs", "keep"
        _, run = await self._call("POST", path, json_body=body)
        run = await self._wait(run)
        if thread_id:
            return (await self._with_outcomes(task_id, [run]))[0]
        # A stateless run has its own kept thread: its state and error are this run's outcome,
        # read the same way list_task_runs reads them.
        _, thread = await self._call("GET", f"/threads/{run['thread_id']}")
        return self._run_view(task_id, run, thread.get("values"), error_text(thread.get("error")))

    async def _wait(self, run: dict[str, Any]) -> dict[str, Any]:
        path = f"/threads/{run['thread_id']}/runs/{run['run_id']}"
        deadline = asyncio.get_running_loop().time() + RUN_NOW_WAIT_SECONDS
        while run.get("status") in IN_FLIGHT and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(RUN_NOW_POLL_SECONDS)
            _, run = await self._call("GET", path)
        return run

    async def list_runs(self, task_id: str, limit: int, cursor: str | None) -> RunPage:
        cron = await self._get_cron(task_id)
        offset = decode_offset(cursor)
        if cron.get("thread_id"):
            runs, next_offset = await self._thread_cron_runs(cron, offset, limit)
            page = await self._with_outcomes(task_id, runs)
        else:
            page, next_offset = await self._stateless_runs(cron, offset, limit)
        return RunPage(
            runs=page, next_cursor=str(next_offset) if next_offset is not None else None
        )

    async def _stateless_runs(
        self, cron: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[Run], int | None]:
        """Each fire of a kept stateless cron is one thread tagged with the task's ref."""
        ref = (cron.get("metadata") or {}).get(REF_KEY)
        if not ref:
            keeps = cron.get("on_run_completed") == "keep"
            raise CapabilityError(
                f"This cron was not created by agentcron, so it carries no {REF_KEY} tag to find "
                "its runs by" + ("" if keeps else ", and LangGraph deletes the thread of each of "
                                 "its runs (on_run_completed='delete')")
                + ". Look at its runs in LangSmith, or re-create it with create_scheduled_task."
            )
        response, threads = await self._call(
            "POST", "/threads/search", idempotent=True,
            json_body={"metadata": {REF_KEY: ref}, "limit": limit, "offset": offset,
                       "sort_by": "created_at", "sort_order": "desc"},
        )
        threads = list(threads or [])
        next_offset = next_offset_of(response)
        lists = await _bounded(self._thread_runs(str(t["thread_id"])) for t in threads)
        page: list[Run] = []
        for thread, runs in zip(threads, lists):
            for run in runs:
                # One run per kept thread: the thread's state and error are that run's outcome.
                page.append(self._run_view(str(cron["cron_id"]), run, thread.get("values"),
                                           error_text(thread.get("error"))))
        return page, next_offset

    async def _thread_runs(self, thread_id: str, offset: int = 0,
                           limit: int = 10) -> list[dict[str, Any]]:
        response, runs = await self._call(
            "GET", f"/threads/{thread_id}/runs", params={"limit": limit, "offset": offset},
            allow_404=True,
        )
        return [] if response.status_code == 404 else list(runs or [])

    async def _thread_cron_runs(
        self, cron: Mapping[str, Any], offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int | None]:
        """The cron's thread's runs (newest first) that this task started; others are skipped.

        The cursor is an offset into the thread's whole run list, so a next page can come back
        empty when the thread's remaining runs belong to someone else.
        """
        ref = (cron.get("metadata") or {}).get(REF_KEY)
        cron_id = str(cron["cron_id"])

        def ours(run: Mapping[str, Any]) -> bool:
            if ref and (run.get("metadata") or {}).get(REF_KEY) == ref:
                return True
            configurable = ((run.get("kwargs") or {}).get("config") or {}).get("configurable") or {}
            return str(configurable.get("cron_id")) == cron_id

        matched: list[dict[str, Any]] = []
        position = offset
        while True:
            batch = await self._thread_runs(str(cron["thread_id"]), position, THREAD_RUNS_BATCH)
            for index, run in enumerate(batch):
                if not ours(run):
                    continue
                matched.append(run)
                if len(matched) == limit:
                    rest = batch[index + 1:]
                    more = any(ours(r) for r in rest) or len(batch) == THREAD_RUNS_BATCH
                    return matched, position + index + 1 if more else None
            position += len(batch)
            if len(batch) < THREAD_RUNS_BATCH:
                return matched, None

    async def _with_outcomes(self, task_id: str, runs: list[dict[str, Any]]) -> list[Run]:
        """Runs with output and error read from each run's last checkpoint on its thread."""
        async def outcome(run: dict[str, Any]) -> Run:
            if run.get("status") in IN_FLIGHT:
                return self._run_view(task_id, run, None, None)
            _, checkpoints = await self._call(
                "POST", f"/threads/{run['thread_id']}/history", idempotent=True,
                json_body={"limit": 1, "metadata": {"run_id": run["run_id"]}},
            )
            last = (checkpoints or [{}])[0]
            errors = [t.get("error") for t in last.get("tasks") or [] if t.get("error")]
            return self._run_view(task_id, run, last.get("values"),
                                  "; ".join(str(e) for e in errors) or None)

        return await _bounded(outcome(run) for run in runs)

    @staticmethod
    def _run_view(task_id: str, run: Mapping[str, Any], values: Any, error: str | None) -> Run:
        raw = str(run.get("status"))
        status = STATUSES.get(raw, "failed")
        done = raw not in IN_FLIGHT
        if raw == "interrupted":
            error = "interrupted: LangGraph stopped the run (an interrupt or a cancel)" + (
                f"; {error}" if error else "")
        elif raw == "timeout":
            error = error or "timed out: the run exceeded the deployment's run timeout"
        elif raw == "error":
            error = error or "failed: LangGraph reported status 'error' without details"
        elif raw not in STATUSES:
            error = f"unknown LangGraph run status {raw!r}"
        created = utc_z(run.get("created_at")) or ""
        return Run(
            id=str(run["run_id"]),
            task_id=task_id,
            # LangGraph does not record the occurrence: its scheduler creates the run at the
            # due time (it polls every few seconds), so created_at stands for it.
            scheduled_for=created,
            started_at=instant_text(run.get("created_at")) if raw != "pending" else None,
            finished_at=instant_text(run.get("updated_at")) if done else None,
            status=status,
            output=output_of(values) if status == "succeeded" else None,
            error=error if status != "succeeded" else None,
        )
