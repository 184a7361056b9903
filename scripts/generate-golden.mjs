// Writes the golden files from the BigInt reference in fnv-reference.mjs:
//   test/fixtures/buckets.json           [experiment, actor, bucket]    hash version 1
//   test/fixtures/buckets-v2.json        [key, bucket_v2]               hash version 2
//   test/fixtures/coverage-buckets.json  [experiment, actor, coverage]  coverage buckets
// Deterministic (one seeded generator per file, so adding a file never shifts another's
// cases): re-running it must produce identical files; a diff means the reference or the
// generator changed.
//
//   npm run golden
import { writeFileSync } from "node:fs";
import { bucketBigInt, bucketV2BigInt, coverageBucketBigInt } from "./fnv-reference.mjs";
import { mulberry32 } from "./lib/prng.mjs";

/** A seeded generator of numbers in [0, 1). */
function prng(seed) {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

const ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@+/ ";
const LATIN1 = "éèêëàâäôöûüçñßøåæÉÈÀÇÑ¡¿©®°±µ¶·";
const CJK = "実験群対照処理用户中文漢字한국어ひらがなカタカナ";
const EMOJI = ["😀", "🚀", "🧪", "👩‍💻", "🇯🇵", "🏳️‍🌈", "𝔘𝔫𝔦", "💯"];
const LONE = ["\ud800", "\udbff", "\udc00", "\udfff"];

/** Random texts of every kind the golden files cover, drawn from a generator seeded with `seed`. */
function texts(seed) {
  const random = prng(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const int = (n) => Math.floor(random() * n);
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
  return { int, text, mixed, experimentName };
}

/**
 * `[experiment, actor]` pairs: the fixed `first` ones, then random ones in the same
 * proportions for every file (ids, ASCII, Latin-1, CJK, emoji, mixed, lone surrogates,
 * empty actors, 1 KiB actors and 1 KiB experiment names).
 */
function pairs(seed, first) {
  const { int, text, mixed, experimentName } = texts(seed);
  const cases = [...first];
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
  return cases;
}

/** Whole keys for hash version 2: the same kinds of text, not split into experiment and actor. */
function keys(seed, first) {
  const { int, text, mixed } = texts(seed);
  const cases = [...first];
  for (let i = 0; i < 200; i++) cases.push(text(ASCII, int(41)));
  for (let i = 0; i < 100; i++) cases.push(text(LATIN1, 1 + int(20)));
  for (let i = 0; i < 100; i++) cases.push(text(CJK, 1 + int(20)));
  for (let i = 0; i < 100; i++) cases.push(text(EMOJI, 1 + int(8)));
  for (let i = 0; i < 100; i++) cases.push(mixed(1 + int(30)));
  for (let i = 0; i < 50; i++) cases.push(text(LONE, 1 + int(4)));
  for (let i = 0; i < 10; i++) cases.push(mixed(1024));
  return cases;
}

function write(file, rows) {
  const url = new URL(`../test/fixtures/${file}`, import.meta.url);
  writeFileSync(url, `${JSON.stringify(rows).replaceAll("],[", "],\n[")}\n`);
  console.log(`wrote ${rows.length} cases to ${url.pathname}`);
}

/** The pairs every file starts with: the reference's fixtures and the edges of UTF-16. */
const FIXED_PAIRS = [
  ["checkout_v2", "user:1"],
  ["checkout_v2", "user:2"],
  ["onboarding_v3", "user:100"],
  ["exp", ""],
  ["", ""],
  ["a", "\ud800\udc00"], // a valid pair: one 4-byte sequence
  ["a", "\udc00\ud800"], // reversed pair: two lone surrogates
];

// 1. Hash version 1, `experiment_bucket`. These seeds and fixed cases never change: the
//    file must stay byte-identical.
const v1 = pairs(20261125, FIXED_PAIRS);
write(
  "buckets.json",
  v1.map(([experiment, actor]) => [experiment, actor, bucketBigInt(experiment, actor)]),
);

// 2. Hash version 2 of whole keys: variant keys `"<experiment>:<actor>"`, coverage keys
//    `"<experiment>/coverage:<actor>"`, and keys of any shape, with or without a colon.
const variantKeys = pairs(20261126, FIXED_PAIRS).map(([experiment, actor]) => `${experiment}:${actor}`);
const coverageKeys = pairs(20261127, [["checkout_v2", "user:1"]])
  .filter((_, i) => i % 4 === 0)
  .map(([experiment, actor]) => `${experiment}/coverage:${actor}`);
const otherKeys = keys(20261128, [
  "",
  "a",
  ":",
  "\ud800",
  "\udfff",
  "\ud800\udc00",
  "\u0000",
  "\u007f\u0080\u07ff\u0800\uffff",
]);
const v2 = [...variantKeys, ...coverageKeys, ...otherKeys];
write(
  "buckets-v2.json",
  v2.map((key) => [key, bucketV2BigInt(key)]),
);

// 3. Coverage buckets, `bucket_v2("<experiment>/coverage:<actor>")`.
const coverage = pairs(20261129, FIXED_PAIRS).filter((_, i) => i < 7 || i % 4 === 0);
write(
  "coverage-buckets.json",
  coverage.map(([experiment, actor]) => [experiment, actor, coverageBucketBigInt(experiment, actor)]),
);
