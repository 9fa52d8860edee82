/** The upload extras in the console summary and the HTML report. */
import type { BenchResult } from "../run";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function uploadsText(r: BenchResult): string[] {
  const u = r.extras?.uploads;
  if (!u) return [];
  const lines = [
    "",
    `Uploads (POST /api/files with a session; median of ${u.options.reps}; 1 MB = 10^6 bytes)`,
    `  ${u.file.megabytes} MB random file: gateway ${u.file.gatewayMBps} MB/s, discarding node:http server ${u.file.sinkMBps} MB/s: ratio ${u.file.ratio}`,
    ...u.memory.map(
      (m) =>
        `  RSS during one ${m.fileMegabytes} MB upload: gateway ${m.gateway.beforeMB} → peak ${m.gateway.peakMB} MB (+${m.gateway.peakDeltaMB} MB, ${m.gatewayPeakDeltaPerFileMB} per uploaded MB; ` +
        `${m.gateway.samples} samples); node:http server discarding +${m.sink.peakDeltaMB} MB, buffering +${m.bufferingSink.peakDeltaMB} MB`,
    ),
    "  image          size        upload MB  gateway ms  ms/MP   sharp alone ms  ms/MP   ratio",
  ];
  for (const i of u.images) {
    lines.push(
      `  ${`${i.format} ${i.megapixels} MP`.padEnd(13)}  ${`${i.width}×${i.height}`.padEnd(10)}  ${String(i.uploadMB).padStart(9)}  ${String(i.gatewayMs).padStart(10)}  ${String(i.gatewayMsPerMP).padStart(5)}  ` +
        `${String(i.sharpMs).padStart(15)}  ${String(i.sharpMsPerMP).padStart(5)}  ${String(i.ratio).padStart(6)}`,
    );
  }
  return lines;
}

export function uploadsHtml(r: BenchResult): string {
  const u = r.extras?.uploads;
  if (!u) return "";
  const rss = (who: string, x: { beforeMB: number; peakMB: number; peakDeltaMB: number; samples: number }, mb: number) =>
    `<tr><td>${mb} MB</td><td>${who}</td><td>${x.beforeMB}</td><td>${x.peakMB}</td><td>${x.peakDeltaMB}</td><td>${x.samples}</td></tr>`;
  const mem = u.memory
    .map((m) => rss("gateway", m.gateway, m.fileMegabytes) + rss("node:http, discarding", m.sink, m.fileMegabytes) + rss("node:http, buffering", m.bufferingSink, m.fileMegabytes))
    .join("");
  const rows = u.images
    .map(
      (i) =>
        `<tr><td>${esc(i.format)}</td><td>${i.megapixels}</td><td>${i.width}×${i.height}</td><td>${i.uploadMB}</td><td>${i.gatewayMs}</td><td>${i.gatewayMsPerMP}</td><td>${i.sharpMs}</td><td>${i.sharpMsPerMP}</td><td>${i.ratio}</td></tr>`,
    )
    .join("");
  return `<h2>Uploads</h2>
<p>POST /api/files with a session through DIM's gateway, against a baseline in the same run; median of ${u.options.reps}; 1 MB = 10<sup>6</sup> bytes.</p>
<table><tr><th>file</th><th>gateway MB/s</th><th>discarding node:http MB/s</th><th>ratio</th></tr>
<tr><td>${u.file.megabytes} MB random</td><td>${u.file.gatewayMBps}</td><td>${u.file.sinkMBps}</td><td>${u.file.ratio}</td></tr></table>
<table><tr><th>upload</th><th>RSS of</th><th>before MB</th><th>peak MB</th><th>peak − before MB</th><th>samples</th></tr>${mem}</table>
<table><tr><th>format</th><th>MP</th><th>size</th><th>upload MB</th><th>gateway ms (upload → thumbnail stored)</th><th>ms/MP</th><th>sharp alone ms</th><th>ms/MP</th><th>ratio</th></tr>${rows}</table>`;
}
