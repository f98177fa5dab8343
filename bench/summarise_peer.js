// A peer summariser for bench/summarise, speaking the scorer's protocol:
// JSON Lines {"id", "text", "n_sentences"} on stdin, {"id", "summary"} out.
// usage: node summarise_peer.js lexrank|node-summarizer  (NODE_PATH: where
// the npm packages are installed; bench/summarise installs them).
'use strict';
const readline = require('readline');
const which = process.argv[2] || 'lexrank';
const rl = readline.createInterface({ input: process.stdin });
const lines = [];
rl.on('line', (l) => { if (l.trim()) lines.push(JSON.parse(l)); });
rl.on('close', async () => {
  const t0 = process.hrtime.bigint();
  const out = [];
  for (const d of lines) {
    let summary = [];
    try {
      if (which === 'lexrank') {
        const lexrank = require('lexrank');
        lexrank.summarize(d.text, d.n_sentences, (err, top) => {
          if (!err && top) summary = top.map((s) => s.text);
        });
      } else {
        const { SummarizerManager } = require('node-summarizer');
        const m = new SummarizerManager(d.text, d.n_sentences);
        const r = await m.getSummaryByRank();
        summary = (r && r.summary ? r.summary : '').split(/(?<=[.!?])\s+/).filter((s) => s);
      }
    } catch (e) {
      summary = [];
    }
    out.push(JSON.stringify({ id: d.id, summary }));
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(out.join('\n') + '\n');
  process.stderr.write(`peer ${which}: ${lines.length} articles in ${secs.toFixed(3)} s ` +
                       `(${(lines.length / secs).toFixed(0)} articles/s, start-up excluded)\n`);
});
