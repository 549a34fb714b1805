// Drives the generated client (compiled to serac.gen.js next to this file)
// against a fake `fetch` that records every request and answers when the
// scenario says, and prints what each scenario saw as one JSON object.
// Run by tests/client.rs.

globalThis.location = { origin: "http://app.test", pathname: "/", search: "", href: "http://app.test/" };

const IDS = { list_todos: "L", times_done: "T", add_todo: "A", set_done: "S" };
const requests = []; // { url, headers, answer(body, status) }

globalThis.fetch = (url, init = {}) =>
  new Promise((resolve) => {
    const request = { url: String(url), headers: { ...(init.headers || {}) }, method: init.method || "GET" };
    request.answer = (body, status = 200) =>
      resolve({ ok: status >= 200 && status < 300, status, json: async () => body, headers: { get: () => "application/json" } });
    if (request.url.endsWith("/_serac/actions.json")) return request.answer(IDS);
    requests.push(request);
  });

const client = await import("./serac.gen.js");
const tick = () => new Promise((r) => setTimeout(r, 0));
const envelope = (result, queries) => ({ ok: true, result, error: null, redirect: null, queries });
const entry = (url, result) => ({ url, ok: true, result, etag: '"e"', error: null });
const seen = {};

// Reads made in one tick: one batch request, answered entry by entry.
{
  const list = client.listTodos();
  const a = client.timesDone("a");
  const b = client.timesDone("b");
  await tick();
  seen.batch = requests.map((r) => r.url);
  const batch = requests.shift();
  const urls = new URL(batch.url, "http://app.test").searchParams.getAll("u");
  batch.answer(urls.map((u, i) => entry(u, [["first"], 1, 2][i])));
  seen.results = [await list, await a, await b];
  seen.same_promise = client.listTodos() === list;
}

// An action names the list first, then the items, most recent first.
{
  const call = client.setDone(1, true);
  await tick();
  const post = requests.shift();
  seen.named = post.headers["serac-queries"].split(" ");
  post.answer(envelope({ id: 1 }, [entry(seen.named[0], ["fresh"])]));
  await call;
  seen.after_action = await client.listTodos();
}

// Forty long items: at most 32 names, within 4 KB of header, the list first.
{
  const long = (n) => `item ${n} `.padEnd(120, "x");
  const reads = Array.from({ length: 40 }, (_, n) => client.timesDone(long(n)));
  await tick();
  const batches = requests.splice(0);
  for (const batch of batches) {
    const urls = new URL(batch.url, "http://app.test").searchParams.getAll("u");
    batch.answer(urls.map((u) => entry(u, 0)));
  }
  seen.long_batches = batches.length;
  await Promise.all(reads);
  const call = client.setDone(1, false);
  await tick();
  const post = requests.shift();
  const header = post.headers["serac-queries"];
  seen.long_header = { bytes: header.length, names: header.split(" ").length, first: header.split(" ")[0] };
  post.answer(envelope({ id: 1 }, []));
  await call;
}

// A read sent after an action is not replaced by that action's older answer.
{
  const call = client.setDone(2, true);
  await tick();
  const post = requests.shift();
  const listUrl = post.headers["serac-queries"].split(" ")[0];
  client.invalidateQueries();
  const newer = client.listTodos();
  await tick();
  const read = requests.shift();
  read.answer(["newer"]);
  await newer;
  post.answer(envelope({ id: 2 }, [entry(listUrl, ["older"])]));
  await call;
  seen.not_replaced = await client.listTodos();
}

// A read still on its way is named by an action.
{
  client.invalidateQueries();
  const pending = client.listTodos();
  await tick();
  const read = requests.shift();
  const call = client.setDone(3, true);
  await tick();
  const post = requests.shift();
  seen.pending_named = (post.headers["serac-queries"] || "").split(" ");
  post.answer(envelope({ id: 3 }, [entry(read.url, ["from the action"])]));
  await call;
  read.answer(["from the read"]);
  await pending;
  seen.pending_result = await client.listTodos();
}

console.log(JSON.stringify(seen));
