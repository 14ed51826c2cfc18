// Ponder requires an API module. bench/indexer.py reads one thing through it: how far the
// mirror got, to check that Ponder indexed every event it was timed on.
import { db } from "ponder:api";
import { ledgerHead, rawEvents } from "ponder:schema";
import { Hono } from "hono";
import { count } from "ponder";

const app = new Hono();

app.get("/bench/head", async (c) => {
  const [head] = await db.select().from(ledgerHead);
  const [raw] = await db.select({ n: count() }).from(rawEvents);
  return c.json({ seq: Number(head?.seq ?? 0n), head: head?.head ?? null, rawEvents: raw?.n ?? 0 });
});

export default app;
