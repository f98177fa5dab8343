// The npm peers of the segment benchmarks, behind one command line.
//   node peers.js segment PEER   < {"id","text"} lines  > {"id","sentences"} lines
//   node peers.js speed FILE [N] (JSONL of {"id","text"}): MB/s of each peer, one core,
//                                the fastest of N passes
// PEER is sentencex or sbd. Install them first: npm install --prefix bench/segment-peers
// (node_modules/ there is git-ignored).
"use strict";
const fs = require("fs");
const readline = require("readline");

const peers = {
  sentencex: () => {
    const s = require("sentencex");
    return (text) => s.segment("en", text);
  },
  sbd: () => {
    const s = require("sbd");
    const opts = { newline_boundaries: false, sanitize: false };
    return (text) => s.sentences(text, opts);
  },
};

async function segmentMode(name) {
  const split = peers[name]();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const row = JSON.parse(line);
    process.stdout.write(JSON.stringify({ id: row.id, sentences: split(row.text) }) + "\n");
  }
}

function speedMode(file, repeat) {
  const texts = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim())
    .map((l) => JSON.parse(l).text);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  const result = {};
  for (const name of Object.keys(peers)) {
    const split = peers[name]();
    let count = 0;
    for (let i = 0; i < Math.min(50, texts.length); i++) count += split(texts[i]).length; // warm-up
    // The fastest of `repeat` passes counts, as for docpipe.
    let secs = Infinity;
    for (let r = 0; r < repeat; r++) {
      count = 0;
      const t0 = process.hrtime.bigint();
      for (const t of texts) count += split(t).length;
      secs = Math.min(secs, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    result[name] = { seconds: secs, mb_per_s: bytes / 1e6 / secs, sentences: count };
  }
  process.stdout.write(JSON.stringify({ bytes, peers: result }) + "\n");
}

const [mode, arg, rep] = process.argv.slice(2);
if (mode === "segment" && peers[arg]) segmentMode(arg);
else if (mode === "speed" && arg) speedMode(arg, Math.max(1, parseInt(rep || "1", 10)));
else {
  process.stderr.write("usage: node peers.js segment sentencex|sbd  |  node peers.js speed FILE\n");
  process.exit(2);
}
