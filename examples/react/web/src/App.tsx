// The todo list, with React 19's own hooks over the generated Serac client:
// `useActionState` for the add form (its state carries the validation and
// conflict errors), `useFormStatus` for the pending button, `useOptimistic`
// for new and toggled todos until the server confirms them (or rolls them
// back when it refuses), and an action that redirects. The list is a Serac
// query read with `use()`: each action's answer brings it back fresh
// (`subscribeQueries` re-renders), so a change costs one request.

import {
  Component,
  Suspense,
  startTransition,
  use,
  useActionState,
  useOptimistic,
  useState,
  useSyncExternalStore,
} from "react";
import type { ReactNode } from "react";
import { useFormStatus } from "react-dom";
import {
  ActionError,
  addTodo,
  archiveDone,
  archived,
  listTodos,
  queryVersion,
  setDone,
  subscribeQueries,
  suggest,
  timesDone,
} from "./serac.gen";
import type { Archive, Todo } from "./serac.gen";

/** A todo as shown: `saving` until the server has confirmed it. */
type Shown = Todo & { saving?: boolean };

interface AddState {
  /** What the user typed, kept when the server refuses it. */
  title: string;
  fieldError: string | null;
  error: string | null;
}

const EMPTY: AddState = { title: "", fieldError: null, error: null };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function AddButton() {
  const { pending } = useFormStatus();
  return (
    <button id="add" type="submit" disabled={pending}>
      {pending ? "Adding…" : "Add"}
    </button>
  );
}

/** "Done 2× before" when the title is in the archive. */
function DoneBefore({ times: read }: { times: Promise<number> }) {
  const times = use(read);
  return times > 0 ? <span className="before">done {times}× before</span> : null;
}

/** A suggested todo, streamed a word at a time; Stop cancels it on the server. */
function Suggestion() {
  const [text, setText] = useState("");
  const [running, setRunning] = useState<AbortController | null>(null);
  async function start() {
    const controller = new AbortController();
    setRunning(controller);
    setText("");
    try {
      for await (const word of suggest({ signal: controller.signal })) {
        setText((t) => t + word);
      }
    } catch (e) {
      setText(message(e));
    } finally {
      setRunning(null);
    }
  }
  return (
    <div className="suggestion">
      <button id="suggest" type="button" onClick={start} disabled={running !== null}>
        Suggest a todo
      </button>
      {running !== null && (
        <button id="suggest-stop" type="button" onClick={() => running.abort()}>
          Stop
        </button>
      )}
      <p id="suggestion" aria-live="polite" data-streaming={running !== null ? "" : undefined}>
        {text}
      </p>
    </div>
  );
}

function TodoList() {
  // Fresh query results from an action's answer re-render the list.
  useSyncExternalStore(subscribeQueries, queryVersion);
  const todos = use(listTodos());
  // Every row's read started here, in one render, so that they go out as one
  // request (a batch query); the rows read the same promises. (A row that
  // suspends may hold back its siblings' first render, and their reads.)
  for (const t of todos) void timesDone(t.title);
  const [shown, showOptimistic] = useOptimistic<Shown[], Shown>(todos, (list, change) =>
    list.some((t) => t.id === change.id)
      ? list.map((t) => (t.id === change.id ? change : t))
      : [...list, change],
  );

  const [state, add] = useActionState(async (_prev: AddState, form: FormData): Promise<AddState> => {
    const title = String(form.get("title") ?? "");
    showOptimistic({ id: -1, title: title.trim(), done: false, saving: true });
    try {
      // The answer brings the list fresh: nothing to add by hand.
      await addTodo(form);
      return EMPTY;
    } catch (e) {
      if (e instanceof ActionError && e.kind === "validation") {
        return { title, fieldError: e.field("title") ?? e.message, error: null };
      }
      return { title, fieldError: null, error: message(e) };
    }
  }, EMPTY);

  const [toggleError, setToggleError] = useState<string | null>(null);
  function toggle(todo: Todo, done: boolean) {
    startTransition(async () => {
      showOptimistic({ ...todo, done, saving: true });
      try {
        await setDone(todo.id, done);
        setToggleError(null);
      } catch (e) {
        setToggleError(message(e));
      }
    });
  }

  const [archiveError, archive, archiving] = useActionState(async (): Promise<string | null> => {
    try {
      await archiveDone(); // redirects to /archived
      return null;
    } catch (e) {
      return message(e);
    }
  }, null);

  return (
    <>
      <form action={add} className="add">
        <label htmlFor="new-title">New todo</label>
        <div className="row">
          <input
            id="new-title"
            name="title"
            defaultValue={state.title}
            autoComplete="off"
            aria-invalid={state.fieldError !== null}
            aria-describedby={state.fieldError !== null ? "title-error" : undefined}
          />
          <AddButton />
        </div>
        {state.fieldError !== null && (
          <p id="title-error" className="field-error">
            {state.fieldError}
          </p>
        )}
      </form>
      {(state.error ?? toggleError) !== null && (
        <p id="error" className="error" role="alert">
          {state.error ?? toggleError}
        </p>
      )}
      {shown.length === 0 ? (
        <p className="empty">Nothing to do.</p>
      ) : (
        <ul id="todos">
          {shown.map((t) => (
            <li key={t.id} data-id={t.id} data-saving={t.saving ? "" : undefined} className={t.done ? "done" : ""}>
              <label>
                <input
                  type="checkbox"
                  checked={t.done}
                  disabled={t.saving || t.id < 0}
                  onChange={(e) => toggle(t, e.currentTarget.checked)}
                />
                <span className="title">{t.title}</span>
              </label>
              {!t.saving && (
                <Suspense fallback={null}>
                  <DoneBefore times={timesDone(t.title)} />
                </Suspense>
              )}
              {t.saving && <span className="saving">Saving…</span>}
            </li>
          ))}
        </ul>
      )}
      <Suggestion />
      <form action={archive}>
        <button id="archive" type="submit" disabled={archiving || !todos.some((t) => t.done)}>
          {archiving ? "Archiving…" : "Archive done todos"}
        </button>
        {archiveError !== null && (
          <p className="error" role="alert">
            {archiveError}
          </p>
        )}
      </form>
    </>
  );
}


function Archived({ archive }: { archive: Promise<Archive> }) {
  const { todos } = use(archive);
  return (
    <>
      <h2>Archived</h2>
      {todos.length === 0 ? (
        <p className="empty">Nothing archived yet.</p>
      ) : (
        <ul id="archived">
          {todos.map((t) => (
            <li key={t.id}>{t.title}</li>
          ))}
        </ul>
      )}
      <p>
        <a href="/">Back to the list</a>
      </p>
    </>
  );
}

/** Shows a failed first load instead of an empty page. */
class LoadError extends Component<{ children: ReactNode }, { error: unknown }> {
  state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  render() {
    if (this.state.error !== null) {
      return (
        <p className="error" role="alert">
          The list could not be loaded: {message(this.state.error)}
        </p>
      );
    }
    return this.props.children;
  }
}

// One request per page load, started before the first render (the list's
// query returns this same promise when the list renders).
const archivePage = location.pathname === "/archived";
if (!archivePage) void listTodos();
const page = archivePage ? <Archived archive={archived()} /> : <TodoList />;

export function App() {
  return (
    <main>
      <h1>Todos</h1>
      <p className="lede">A React 19 app; every change is a Serac action and every read a Serac query, called through the generated TypeScript client.</p>
      <LoadError>
        <Suspense fallback={<p className="loading">Loading…</p>}>{page}</Suspense>
      </LoadError>
    </main>
  );
}
