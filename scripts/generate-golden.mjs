// Writes test/fixtures/buckets.json: [experiment, actor, bucket] triples computed by the
// BigInt reference in fnv-reference.mjs. Deterministic (seeded), so re-running it must
// produce an identical file; a diff means the reference or the generator changed.
//
//   npm run golden
import { writeFileSync } from "node:fs";
import { bucketBigInt } from "./fnv-reference.mjs";

// Mulberry32: a tiny seeded PRNG so the cases are the same on every run.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(20261125);
const pick = (items) => items[Math.floor(random() * items.length)];
const int = (n) => Math.floor(random() * n);

const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@+/ ";
const LATIN1 = "éèêëàâäôöûüçñßøåæÉÈÀÇÑ¡¿©®°±µ¶·";
const CJK = "実験群対照処理用户中文漢字한국어ひらがなカタカナ";
const EMOJI = ["😀", "🚀", "🧪", "👩‍💻", "🇯🇵", "🏳️‍🌈", "𝔘𝔫𝔦", "💯"];
const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"];

function text(alphabet, length) {
  let out = "";
  for (let i = 0; i < length; i++) out += pick(alphabet);
  return out;
}
function mixed(length) {
  let out = "";
  for (let i = 0; i < length; i++) {
    const kind = int(10);
    if (kind < 5) out += pick(ASCII);
    else if (kind < 7) out += pick(LATIN1);
    else if (kind < 8) out += pick(CJK);
    else if (kind < 9) out += pick(EMOJI);
    else out += pick(LONE);
  }
  return out;
}
const experimentName = () => text("abcdefghijklmnopqrstuvwxyz0123456789_", 1 + int(24));

const cases = [
  ["checkout_v2", "user:1"],
  ["checkout_v2", "user:2"],
  ["onboarding_v3", "user:100"],
  ["exp", ""],
  ["", ""],
  ["a", "\ud800\udc00"], // a valid pair: one 4-byte sequence
  ["a", "\udc00\ud800"], // reversed pair: two lone surrogates
];
for (let i = 0; i < 600; i++) cases.push([experimentName(), `user:${int(1_000_000)}`]);
for (let i = 0; i < 300; i++) cases.push([experimentName(), text(ASCII, 1 + int(40))]);
for (let i = 0; i < 250; i++) cases.push([experimentName(), text(LATIN1, 1 + int(20))]);
for (let i = 0; i < 250; i++) cases.push([experimentName(), text(CJK, 1 + int(20))]);
for (let i = 0; i < 200; i++) cases.push([experimentName(), text(EMOJI, 1 + int(8))]);
for (let i = 0; i < 200; i++) cases.push([experimentName(), mixed(1 + int(30))]);
for (let i = 0; i < 150; i++) cases.push([experimentName(), text(LONE, 1 + int(4))]);
for (let i = 0; i < 50; i++) cases.push([experimentName(), ""]);
for (let i = 0; i < 20; i++) cases.push([experimentName(), text(ASCII, 1024)]);
for (let i = 0; i < 10; i++) cases.push([experimentName(), mixed(1024)]);
for (let i = 0; i < 10; i++) cases.push([text(ASCII, 1024), text(ASCII, 1024)]);

const rows = cases.map(([experiment, actor]) => [experiment, actor, bucketBigInt(experiment, actor)]);
const url = new URL("../test/fixtures/buckets.json", import.meta.url);
writeFileSync(url, `${JSON.stringify(rows).replaceAll("],[", "],\n[")}\n`);
console.log(`wrote ${rows.length} cases to ${url.pathname}`);
