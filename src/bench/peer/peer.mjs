// The peer src/bench/load.sh compares the job with (PEER=1): what a developer would write with
// Microsoft's JS Graph client and DuckDB. It pages the job's own first-page requests (from
// `bench-crawl --print-queries`) with the client's PageIterator, the members of 8 groups at a
// time, writes each table's items as JSON lines, then loads each file into a DuckDB table with
// read_json_auto. Prints the wall time of the whole, and of each part.
// Usage: node peer.mjs TOKEN_URL GRAPH_URL CLIENT_ID QUERIES_FILE OUT_DIR
// (AZURE_CLIENT_SECRET in the environment; NODE_EXTRA_CA_CERTS to trust the simulator).
import { Client, PageIterator } from "@microsoft/microsoft-graph-client";
import { DuckDBInstance } from "@duckdb/node-api";
import fs from "node:fs";
import path from "node:path";

const [tokenUrl, graphUrl, clientId, queriesFile, outDir] = process.argv.slice(2);
const started = performance.now();
const seconds = (from) => ((performance.now() - from) / 1000).toFixed(2);

const form = new URLSearchParams({
  grant_type: "client_credentials",
  client_id: clientId,
  client_secret: process.env.AZURE_CLIENT_SECRET,
  scope: "https://graph.microsoft.com/.default",
});
const answer = await fetch(tokenUrl, { method: "POST", body: form });
if (!answer.ok) throw new Error(`token: ${answer.status} ${await answer.text()}`);
const token = (await answer.json()).access_token;

const graph = new URL(graphUrl);
const client = Client.init({
  authProvider: (done) => done(null, token),
  baseUrl: graph.origin + "/",
  defaultVersion: graph.pathname.replace(/^\/|\/$/g, ""),
  customHosts: new Set([graph.hostname]),
});

// Every page of a request, each item to `each`.
async function pages(request, each) {
  const first = await client.api(request).get();
  const iterator = new PageIterator(client, first, (item) => {
    each(item);
    return true;
  });
  await iterator.iterate();
}

fs.mkdirSync(outDir, { recursive: true });
const db = await DuckDBInstance.create(path.join(outDir, "peer.duckdb"));
const sql = await db.connect();
let fetchSeconds = 0;
let loadSeconds = 0;
for (const line of fs.readFileSync(queriesFile, "utf8").split("\n").filter(Boolean)) {
  const [table, request, perParent] = line.split("\t");
  const file = path.join(outDir, `${table}.jsonl`);
  const out = fs.createWriteStream(file);
  const write = (item) => out.write(JSON.stringify(item) + "\n");
  let t0 = performance.now();
  if (perParent === undefined) {
    await pages(request, write);
  } else {
    const parents = [];
    await pages(request, (p) => parents.push(p.id));
    let next = 0;
    const worker = async () => {
      while (next < parents.length) {
        const id = parents[next++];
        await pages(perParent.replace("{id}", id), (item) => write({ parent_id: id, ...item }));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  }
  await new Promise((resolve) => out.end(resolve));
  const fetched = (performance.now() - t0) / 1000;
  t0 = performance.now();
  await sql.run(
    `CREATE OR REPLACE TABLE ${table} AS SELECT * FROM read_json_auto('${file}', sample_size = -1)`,
  );
  const rows = (await sql.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0];
  const loaded = (performance.now() - t0) / 1000;
  fetchSeconds += fetched;
  loadSeconds += loaded;
  console.log(`${table.padEnd(28)} ${String(rows).padStart(9)} rows  fetched ${fetched.toFixed(2)} s  loaded ${loaded.toFixed(2)} s`);
}
sql.closeSync();
console.log(`peer COMPLETED in ${seconds(started)} s (fetch ${fetchSeconds.toFixed(2)} s, DuckDB ${loadSeconds.toFixed(2)} s)`);
