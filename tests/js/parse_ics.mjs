// Parse an iCalendar file with Mozilla's ical.js and print what a calendar app would see, as JSON.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const component = new ICAL.Component(ICAL.parse(text));
for (const tz of component.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const events = component.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    tzid: start.isDate ? null : start.zone && start.zone.tzid,
    startLocal: start.toString(),
    startUtc: start.isDate ? null : start.toUnixTime(),
    alarms: vevent.getAllSubcomponents("valarm").length,
  };
});
console.log(JSON.stringify({ timezones: component.getAllSubcomponents("vtimezone").length, events }));
