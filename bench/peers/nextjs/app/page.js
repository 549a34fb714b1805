import { increment, current } from "./actions";
import Caller from "./caller";

export const dynamic = "force-dynamic";

export default async function Page() {
  const n = await current();
  return (
    <>
      <title>{`Counter ${n}`}</title>
      <p id="count">Count: {n}</p>
      <form action={increment}>
        <button>Add one</button>
      </form>
      <Caller />
    </>
  );
}
