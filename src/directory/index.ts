// What the rest of Otklik uses of the directory: loading, checking, recommending, and the calendar arithmetic
// that the SLA clock shares.
export {
  buildCalendar,
  type CalendarEntry,
  type CalendarYear,
  type DayStatus,
  dayStatus,
  isShortDay,
  isWorkingDay,
  type ProductionCalendar,
  parseCalendarYear,
} from "./calendar.ts";
export { calendarFromXml, calendarYearToYaml } from "./calendar-xml.ts";
export { checkDirectory, hasErrors } from "./check.ts";
export {
  DATA_DIR,
  type LoadedDirectory,
  loadCalendar,
  loadDirectoryData,
  loadDirectoryFile,
  loadRegions,
} from "./load.ts";
export { type ParsedDirectory, parseDirectoryText } from "./parse.ts";
export { analyseNumber, dialFromAbroad, type NumberInfo } from "./phone.ts";
export {
  DirectoryQueryError,
  type RecommendOptions,
  type RecommendQuery,
  recommend,
} from "./recommend.ts";
export { indexRegions, normaliseRegionName, type RegionIndex, resolveRegion } from "./regions.ts";
export {
  addOpenMinutes,
  describeSchedule,
  type Hours,
  isOpenAt,
  nextClosing,
  nextOpening,
  type OpenState,
  openIntervals,
  openState,
  workingMinutes,
} from "./schedule.ts";
export { RecommendAnswerSchema, type RecommendItem, RecommendItemSchema } from "./schema.ts";
export * from "./types.ts";
