"use server";
// The same work as bench/src/apps.rs: a counter in memory.
import { revalidatePath } from "next/cache";

let count = 0;

export async function increment() {
  count += 1;
  return count;
}

export async function incrementAndRevalidate() {
  count += 1;
  revalidatePath("/");
  return count;
}

export async function current() {
  return count;
}
