// The client shared by the functions below: one POST per action call, one
// GET per query read (or one for the reads of a tick), in the JSON protocol
// of Serac's docs/protocol.md. Ids come from the server's manifest,
// since they depend on its secret; a stale id (after a rotation or a deploy)
// makes the client read the manifest again and retry once.

/** How a call can fail: the action's own errors, the server's refusals
 * before the action ran, and `network` when no answer arrived. */
export type ActionErrorKind =
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "bad_request"
  | "rate_limited"
  | "timeout"
  | "internal"
  | "method_not_allowed"
  | "origin_mismatch"
  | "host_not_allowed"
  | "cross_site"
  | "payload_too_large"
  | "bad_payload"
  | "missing_action"
  | "unknown_action"
  | "idempotency_conflict"
  | "already_done"
  | "missing_bound"
  | "bad_seal"
  | "missing_state"
  | "layer_missing"
  | "upload_not_stored"
  | "uploads_busy"
  | "network";

/** What a failed call throws. For a validation failure, `fields` maps each
 * invalid field to its messages. */
export class ActionError extends Error {
  readonly kind: ActionErrorKind;
  readonly status: number;
  readonly fields: Record<string, string[]>;
  readonly digest: string | null;

  constructor(
    kind: ActionErrorKind,
    status: number,
    message: string,
    fields: Record<string, string[]> = {},
    digest: string | null = null,
  ) {
    super(message);
    this.name = "ActionError";
    this.kind = kind;
    this.status = status;
    this.fields = fields;
    this.digest = digest;
  }

  /** The first message for `field`, if the call failed validation there. */
  field(name: string): string | undefined {
    return this.fields[name]?.[0];
  }
}

/** Settings for every call; see `configure`. */
export interface ClientOptions {
  /** The URL calls are posted to: the server applies that page's limits.
   * Default: the current page. */
  endpoint?: () => string;
  /** Where the manifest of action ids is served. */
  manifest?: string;
  /** Called when an action redirects. Default: load the page
   * (`location.assign`), and the call never settles, as the page is left.
   * With a client-side router, navigate with it: the call then resolves
   * with `undefined`. */
  navigate?: (url: string) => void;
  /** Headers added to every call. */
  headers?: () => Record<string, string>;
}

const seracOptions: Required<Omit<ClientOptions, "navigate">> & Pick<ClientOptions, "navigate"> = {
  // Absolute: a path such as "//host/x" alone would name another site.
  endpoint: () => location.origin + location.pathname + location.search,
  manifest: "/_serac/actions.json",
  headers: () => ({}),
};

/** Changes how calls are made (endpoint, manifest URL, redirects, headers). */
export function configure(settings: ClientOptions): void {
  Object.assign(seracOptions, settings);
}

interface SeracEnvelope {
  ok: boolean;
  result: unknown;
  error: {
    kind: ActionErrorKind;
    status: number;
    message: string;
    fields: Record<string, string[]> | null;
    digest: string | null;
  } | null;
  redirect: string | null;
  queries?: SeracQueryResult[];
}

/** One query's answer, in a batch or with an action's answer. */
interface SeracQueryResult {
  url: string;
  ok: boolean;
  result: unknown;
  error: SeracEnvelope["error"];
}

const SERAC_OFFLINE = "The server could not be reached. Check the connection and try again.";

let seracIds: Promise<Record<string, string>> | null = null;

function seracManifest(refresh: boolean): Promise<Record<string, string>> {
  if (seracIds === null || refresh) {
    seracIds = fetch(seracOptions.manifest, { credentials: "same-origin", cache: "no-cache" }).then(
      (r) => {
        if (!r.ok) {
          throw new ActionError("unknown_action", r.status, "The server does not list any actions for this client.");
        }
        return r.json() as Promise<Record<string, string>>;
      },
      () => {
        throw new ActionError("network", 0, SERAC_OFFLINE);
      },
    );
    seracIds.catch(() => {
      seracIds = null;
    });
  }
  return seracIds;
}

function seracKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") {
    return crypto.randomUUID();
  }
  return Date.now().toString(36) + Math.random().toString(36).slice(2);
}

// A typed form object as the server's form decoder reads it: one field per
// key, arrays as repeated fields, nothing for null and undefined.
function seracFormBody(form: FormData | object): FormData | URLSearchParams {
  if (form instanceof FormData) {
    return form;
  }
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) {
        body.append(key, String(item));
      }
    }
  }
  return body;
}

const seracNever = new Promise<never>(() => {});

/** The id of action `name`, from the manifest. */
async function seracId(name: string): Promise<string> {
  const id = (await seracManifest(false))[name];
  if (id === undefined) {
    throw new ActionError("unknown_action", 404, `The server has no action named "${name}". Reload the page.`);
  }
  return id;
}

/** The envelope of an answer, or an `internal` error when it has none. */
async function seracEnvelope(response: Response): Promise<SeracEnvelope> {
  try {
    return (await response.json()) as SeracEnvelope;
  } catch {
    throw new ActionError("internal", response.status, `The server answered ${response.status} without a result.`);
  }
}

/** Calls the action `name` (its Rust name) with JSON arguments or a form. */
export async function seracCall<T>(name: string, args: unknown[] | FormData | object): Promise<T> {
  const key = seracKey();
  const body = Array.isArray(args) ? JSON.stringify(args) : seracFormBody(args);
  let staleRetried = false;
  let networkRetried = false;
  for (;;) {
    const id = await seracId(name);
    const headers: Record<string, string> = {
      ...seracOptions.headers(),
      "serac-action": id,
      "serac-idempotency-key": key,
      "serac-render": "none",
      accept: "application/json",
    };
    if (typeof body === "string") {
      headers["content-type"] = "application/json";
    }
    const shown = seracShownQueries();
    if (shown.length > 0) {
      headers["serac-queries"] = shown.join(" ");
    }
    const sent = ++seracClock;
    let response: Response;
    try {
      response = await fetch(seracOptions.endpoint(), { method: "POST", headers, body, credentials: "same-origin" });
    } catch {
      // One retry with the same key: the server runs a key once, so a call
      // whose answer was lost is not run twice.
      if (!networkRetried) {
        networkRetried = true;
        continue;
      }
      throw new ActionError("network", 0, SERAC_OFFLINE);
    }
    const envelope = await seracEnvelope(response);
    if (envelope.error?.kind === "unknown_action" && !staleRetried) {
      staleRetried = true;
      await seracManifest(true);
      continue;
    }
    if (envelope.redirect !== null) {
      if (seracOptions.navigate) {
        seracOptions.navigate(envelope.redirect);
        return undefined as T;
      }
      // Only http(s): never "javascript:" or the like.
      const to = new URL(envelope.redirect, location.href);
      if (to.protocol === "http:" || to.protocol === "https:") location.assign(to.href);
      return seracNever;
    }
    if (envelope.error !== null) {
      const e = envelope.error;
      throw new ActionError(e.kind, e.status, e.message, e.fields ?? {}, e.digest);
    }
    seracFresh(envelope.queries ?? [], sent);
    return envelope.result as T;
  }
}

/** Options of a streamed call. */
export interface SeracStreamOptions {
  /** Aborting it stops the stream; the server drops the producer. */
  signal?: AbortSignal;
}

function seracFail(envelope: SeracEnvelope): never {
  const e = envelope.error!;
  throw new ActionError(e.kind, e.status, e.message, e.fields ?? {}, e.digest);
}

/** Calls the action `name`, whose result is streamed, and yields its parts
 * as they arrive (newline-delimited JSON, then the call's envelope). Leaving
 * the loop early, or aborting `options.signal`, cancels the request. A
 * streamed call carries no idempotency key and is not retried: a repeat
 * would start the stream again. */
export async function* seracStream<T>(
  name: string,
  args: unknown[] | FormData | object,
  options: SeracStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  const body = Array.isArray(args) ? JSON.stringify(args) : seracFormBody(args);
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener("abort", abort);
  try {
    let staleRetried = false;
    for (;;) {
      const id = await seracId(name);
      const headers: Record<string, string> = {
        ...seracOptions.headers(),
        "serac-action": id,
        "serac-render": "none",
      };
      if (typeof body === "string") {
        headers["content-type"] = "application/json";
      }
      let response: Response;
      try {
        response = await fetch(seracOptions.endpoint(), {
          method: "POST",
          headers,
          body,
          credentials: "same-origin",
          signal: controller.signal,
        });
      } catch (e) {
        if (controller.signal.aborted) return;
        throw new ActionError("network", 0, SERAC_OFFLINE);
      }
      if (!(response.headers.get("content-type") ?? "").startsWith("application/x-ndjson")) {
        // Refused before anything streamed: an ordinary envelope.
        const envelope = await seracEnvelope(response);
        if (envelope.error?.kind === "unknown_action" && !staleRetried) {
          staleRetried = true;
          await seracManifest(true);
          continue;
        }
        if (envelope.error !== null) seracFail(envelope);
        return;
      }
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffered = "";
      let envelope: SeracEnvelope | null = null;
      for (;;) {
        let read: ReadableStreamReadResult<Uint8Array>;
        try {
          read = await reader.read();
        } catch (e) {
          if (controller.signal.aborted) return;
          throw new ActionError("network", 0, SERAC_OFFLINE);
        }
        if (read.done) break;
        buffered += decoder.decode(read.value, { stream: true });
        let at: number;
        while ((at = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, at);
          buffered = buffered.slice(at + 1);
          if (line.trim() === "") continue;
          const parsed = JSON.parse(line) as { part?: T } & Partial<SeracEnvelope>;
          if ("part" in parsed) yield parsed.part as T;
          else envelope = parsed as SeracEnvelope;
        }
      }
      if (envelope === null) {
        throw new ActionError("network", 0, "The answer was cut off before its end. Try again.");
      }
      if (envelope.redirect !== null) {
        if (seracOptions.navigate) {
          seracOptions.navigate(envelope.redirect);
          return;
        }
        const to = new URL(envelope.redirect, location.href);
        if (to.protocol === "http:" || to.protocol === "https:") location.assign(to.href);
        return;
      }
      if (envelope.error !== null) seracFail(envelope);
      return;
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
    controller.abort();
  }
}

// ---- Queries ---------------------------------------------------------------
//
// A query is read with GET. Its function returns the same promise for the
// same arguments until the answer changes, so React's `use()` can read it
// during render (the promise carries `status` and `value` as React expects,
// so a known answer renders without suspending), and TanStack Query or any
// cache can call it like any async function. The reads asked for in one
// tick go out as one batch request. Every action call then names the
// queries read so far (`serac-queries`) and its answer brings their fresh
// results: they replace the cached promises and `subscribeQueries`
// listeners are told, so a page re-renders with fresh data after a mutation
// with no second request.

/** A promise as React's `use()` reads it. */
type SeracTracked<T> = Promise<T> & { status?: "pending" | "fulfilled" | "rejected"; value?: T; reason?: unknown };

interface SeracQueryEntry {
  promise: SeracTracked<unknown>;
  /** The query's URL, once its id is known. */
  url: string | null;
  /** A batch query's item (one per row, say): named after the others. */
  item: boolean;
  /** When the request its promise comes from was sent (`seracClock`): an
   * action's fresh result replaces it only if that action was sent later. */
  since: number;
}

const seracQueries = new Map<string, SeracQueryEntry>();
const seracListeners = new Set<() => void>();
let seracQueryVersion = 0;
/** Counts requests sent: orders reads and actions' answers. */
let seracClock = 0;
let seracQueued: [string, (v: unknown) => void, (e: unknown) => void][] | null = null;

function seracTracked<T>(promise: Promise<T>): SeracTracked<T> {
  const tracked = promise as SeracTracked<T>;
  tracked.status = "pending";
  promise.then(
    (value) => {
      tracked.status = "fulfilled";
      tracked.value = value;
    },
    (reason) => {
      tracked.status = "rejected";
      tracked.reason = reason;
    },
  );
  return tracked;
}

function seracChanged(): void {
  seracQueryVersion += 1;
  for (const listener of seracListeners) listener();
}

/** Calls `listener` whenever query results change (fresh results from an
 * action, `invalidateQueries`); returns the function that stops it. With
 * React: `useSyncExternalStore(subscribeQueries, queryVersion)`. */
export function subscribeQueries(listener: () => void): () => void {
  seracListeners.add(listener);
  return () => {
    seracListeners.delete(listener);
  };
}

/** A number that changes whenever query results do. */
export function queryVersion(): number {
  return seracQueryVersion;
}

/** Forgets every query result: the next read of each asks the server. */
export function invalidateQueries(): void {
  seracQueries.clear();
  seracChanged();
}

/** The URLs of the queries read so far (answered, or being read), at most
 * 32 (the server's limit) and about 4 KB of header (what proxies take):
 * what an action call names for fresh results. The most recently used come
 * first, and a batch query's items (many per page) after every other query,
 * so that a page's own queries (its list) stay named however many rows it
 * shows. */
function seracShownQueries(): string[] {
  const shown = [...seracQueries.values()].filter((e) => e.url !== null && e.promise.status !== "rejected");
  const recent = (items: boolean) =>
    shown
      .filter((e) => e.item === items)
      .map((e) => e.url!)
      .reverse();
  const urls: string[] = [];
  let bytes = 0;
  for (const url of [...recent(false), ...recent(true)]) {
    if (urls.length === 32 || bytes + url.length + 1 > 4096) break;
    urls.push(url);
    bytes += url.length + 1;
  }
  return urls;
}

/** Puts the fresh results the answer of an action sent at `sent` brought in
 * place of the kept ones, unless a kept one comes from a later request. */
function seracFresh(results: SeracQueryResult[], sent: number): void {
  let changed = false;
  for (const fresh of results) {
    for (const [key, entry] of seracQueries) {
      if (entry.url !== fresh.url || entry.since > sent) continue;
      if (fresh.ok) {
        const promise = seracTracked(Promise.resolve(fresh.result));
        promise.status = "fulfilled";
        promise.value = fresh.result;
        seracQueries.set(key, { promise, url: entry.url, item: entry.item, since: sent });
      } else {
        seracQueries.delete(key);
      }
      changed = true;
    }
  }
  if (changed) seracChanged();
}

function seracQueryError(error: SeracEnvelope["error"] | undefined, status: number): ActionError {
  if (error && typeof error.message === "string") {
    return new ActionError(error.kind, error.status, error.message, error.fields ?? {}, error.digest);
  }
  return new ActionError("internal", status, `The server answered ${status} without a result.`);
}

async function seracGet(url: string): Promise<[boolean, unknown, number]> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { ...seracOptions.headers(), accept: "application/json" } });
  } catch {
    throw new ActionError("network", 0, SERAC_OFFLINE);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return [response.ok, body, response.status];
}

/** Sends this tick's reads: one alone as a plain GET, more as batches of
 * at most 32 (`/_serac/qb`). */
function seracFlush(): void {
  const calls = seracQueued ?? [];
  seracQueued = null;
  for (let i = 0; i < calls.length; i += 32) {
    const batch = calls.slice(i, i + 32);
    if (batch.length === 1) {
      const [url, resolve, reject] = batch[0];
      seracGet(url).then(([ok, body, status]) => {
        if (ok) resolve(body);
        else reject(seracQueryError((body as SeracEnvelope | null)?.error, status));
      }, reject);
      continue;
    }
    const query = batch.map(([url]) => "u=" + encodeURIComponent(url)).join("&");
    seracGet("/_serac/qb?" + query).then(([ok, body, status]) => {
      batch.forEach(([, resolve, reject], n) => {
        const entry = ok && Array.isArray(body) ? (body[n] as SeracQueryResult) : null;
        if (entry?.ok) resolve(entry.result);
        else reject(seracQueryError(entry ? entry.error : (body as SeracEnvelope | null)?.error, status));
      });
    }, (e) => batch.forEach(([, , reject]) => reject(e)));
  }
}

function seracRead(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (seracQueued === null) {
      seracQueued = [];
      queueMicrotask(seracFlush);
    }
    seracQueued.push([url, resolve, reject]);
  });
}

function seracQueryUrl(id: string, args: unknown[]): string {
  const url = "/_serac/q/" + id;
  return args.length === 0 ? url : url + "?a=" + encodeURIComponent(JSON.stringify(args));
}

/** Reads the query `name` (its Rust name) with `args`: the same promise for
 * the same arguments until its result changes. A failed read is not kept:
 * the next call asks again. */
export function seracQuery<T>(name: string, args: unknown[], item = false): Promise<T> {
  const key = name + JSON.stringify(args);
  const cached = seracQueries.get(key);
  if (cached !== undefined) {
    // Most recently used last: the order `seracShownQueries` reads.
    seracQueries.delete(key);
    seracQueries.set(key, cached);
    return cached.promise as Promise<T>;
  }
  const entry: SeracQueryEntry = { promise: Promise.resolve(), url: null, item, since: ++seracClock };
  entry.promise = seracTracked(
    (async () => {
      for (let retried = false; ; retried = true) {
        entry.url = seracQueryUrl(await seracId(name), args);
        try {
          return await seracRead(entry.url);
        } catch (e) {
          // A stale id (after a rotation or a deploy): the ids again, once.
          if (retried || !(e instanceof ActionError) || e.kind !== "unknown_action") throw e;
          await seracManifest(true);
        }
      }
    })(),
  );
  entry.promise.catch(() => {
    if (seracQueries.get(key) === entry) seracQueries.delete(key);
  });
  seracQueries.set(key, entry);
  return entry.promise as Promise<T>;
}
