import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Everything the console's pages load, served by the console itself: the CSP allows scripts and
 * styles from 'self' only, and the hosts have no internet (no CDN). uPlot comes from node_modules.
 */
export interface Asset {
  type: string;
  body: string;
}

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1b1f24; background: #f6f7f9; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #12355b; color: #fff; }
header a { color: #dce8f5; margin-right: .9rem; text-decoration: none; }
header a:hover { text-decoration: underline; }
header .logout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { padding: 1rem 1.2rem; max-width: 72rem; }
h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e1e4e8; }
th { background: #eef1f5; font-weight: 600; }
.mono, pre { font-family: ui-monospace, monospace; font-size: 12px; }
.empty, .note { color: #59636e; }
.error { color: #b3261e; font-weight: 600; }
.ok { color: #1a7f37; }
.state-active { color: #1a7f37; font-weight: 600; }
.state-transferring { color: #9a6700; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { color: #59636e; }
dl.facts dd { margin: 0; }
ol.turns { list-style: none; padding: 0; }
.turn { background: #fff; border-left: 4px solid #8aa4c1; margin: .4rem 0; padding: .4rem .7rem; }
.turn-caller { border-color: #d29922; }
.turn .who { font-weight: 600; text-transform: capitalize; margin-right: .6rem; }
.turn time, .turn .lang { color: #59636e; font-size: 12px; margin-right: .6rem; }
.turn p { margin: .2rem 0 0; }
form.login, form.erase { display: grid; gap: .6rem; max-width: 22rem; margin-top: 1rem; }
input { font: inherit; padding: .3rem .4rem; display: block; width: 100%; box-sizing: border-box; }
button { font: inherit; padding: .35rem .9rem; cursor: pointer; }
.receipt { background: #eaf6ec; border: 1px solid #1a7f37; padding: .2rem 1rem 1rem; }
#latency-chart { background: #fff; margin: 1rem 0; }
`;

/** Replaces the live-calls table every 3 s; a page whose session ended reloads (to the login). */
const CONSOLE_JS = `
(function () {
  var box = document.querySelector('[data-refresh]');
  if (!box) return;
  setInterval(function () {
    fetch(box.getAttribute('data-refresh'), { credentials: 'same-origin', redirect: 'manual' })
      .then(function (res) {
        if (res.status !== 200) { location.reload(); return; }
        return res.text().then(function (text) { box.innerHTML = text; });
      })
      .catch(function () {});
  }, 3000);
})();
`;

/** Draws the latency page's JSON block with uPlot: one line per turn stage. */
const LATENCY_JS = `
(function () {
  var el = document.getElementById('latency-chart');
  var data = JSON.parse(document.getElementById('latency-data').textContent);
  var colours = ['#12355b', '#d29922', '#1a7f37', '#b3261e', '#8250df'];
  var series = [{}].concat(data.stages.map(function (stage, i) {
    return { label: stage, stroke: colours[i % colours.length], width: 2, spanGaps: true,
             value: function (u, v) { return v == null ? '–' : Math.round(v * 1000) + ' ms'; } };
  }));
  var plot = new uPlot({
    width: Math.min(el.clientWidth || 900, 1100), height: 320, series: series,
    axes: [{}, { label: 'seconds' }], scales: { x: { time: true } }
  }, [data.at].concat(data.series), el);
  // One sample alone makes uPlot span years around it: show the minute around it instead.
  if (data.at.length === 1) plot.setScale('x', { min: data.at[0] - 30, max: data.at[0] + 30 });
})();
`;

export function loadAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const read = (path: string) => readFileSync(require.resolve(path), 'utf8');
  return new Map<string, Asset>([
    ['console.css', { type: 'text/css; charset=utf-8', body: CSS }],
    ['console.js', { type: 'text/javascript; charset=utf-8', body: CONSOLE_JS }],
    ['latency.js', { type: 'text/javascript; charset=utf-8', body: LATENCY_JS }],
    [
      'uPlot.iife.min.js',
      { type: 'text/javascript; charset=utf-8', body: read('uplot/dist/uPlot.iife.min.js') },
    ],
    ['uPlot.min.css', { type: 'text/css; charset=utf-8', body: read('uplot/dist/uPlot.min.css') }],
  ]);
}
