// Each locale's wide weekday names as ICU (node's Intl, with its own copy of CLDR) formats them, in
// Python's date.weekday() order: 1 January 2024 was a Monday, so index 0 is Monday.
// Usage: node weekday_names.mjs '["nb-NO", "ar"]'  ->  {"nb-NO": {"locale": "nb", "names": [...]}, ...}
const tags = JSON.parse(process.argv[2]);
const out = {};
for (const tag of tags) {
  const format = new Intl.DateTimeFormat(tag, { weekday: "long", timeZone: "UTC" });
  out[tag] = {
    locale: format.resolvedOptions().locale,
    names: [0, 1, 2, 3, 4, 5, 6].map((offset) => format.format(Date.UTC(2024, 0, 1 + offset))),
  };
}
console.log(JSON.stringify(out));
