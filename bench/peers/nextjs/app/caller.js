"use client";
// A client component that calls the actions, as (a) and (c) do.
import { increment, incrementAndRevalidate } from "./actions";

export default function Caller() {
  return (
    <p>
      <button onClick={() => increment()}>Call</button>
      <button onClick={() => incrementAndRevalidate()}>Call and revalidate</button>
    </p>
  );
}
