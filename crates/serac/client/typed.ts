// The client shared by the functions below: one POST per call, in the JSON
// protocol of Serac's docs/protocol.md. Ids come from the server's manifest,
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
