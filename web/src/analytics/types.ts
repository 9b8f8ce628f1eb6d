// What the statistics API answers (src/analytics/service.ts), as the pages read it. Kept here, not generated:
// GET /api/v1/analytics/period, /today and /comments leave their response schemas open (additionalProperties),
// so the OpenAPI document has no fields to generate these from until the routes declare them.
export type Count = { key: string; count: number };
export type Summary = {
  created: number;
  resolved: number;
  firstResponse: { median: number | null; p90: number | null };
  resolution: { median: number | null; p90: number | null };
  sla: { firstResponse: number | null; resolution: number | null };
  rating: { count: number; average: number | null; distribution: number[] };
};
export type Backlog = {
  open: number;
  byStatus: Record<string, number>;
  age: { under1d: number; d1to3: number; d3to7: number; over7d: number };
  medianAgeHours: number | null;
  oldestAgeHours: number | null;
  overdue: number;
};
export type Calls = {
  offered: number;
  answered: number;
  abandoned: number;
  abandonRate: number | null;
  averageSpeedOfAnswer: number | null;
  averageHandlingTime: number | null;
  serviceLevel: number | null;
} | null;
export type PeriodBoard = {
  summary: Summary;
  previous: Summary;
  daily: { day: string; created: number; resolved: number; byChannel: Record<string, number> }[];
  volume: { channel: Count[]; category: Count[]; audience: Count[]; region: Count[]; hour: number[]; heat: number[][] };
  regions: {
    region: string;
    created: number;
    resolved: number;
    resolutionMedian: number | null;
    slaResolution: number | null;
    ratingAverage: number | null;
  }[];
  escalation: {
    escalationRate: number | null;
    firstContactResolution: number | null;
    departments: {
      department: string;
      name: string;
      requests: number;
      escalated: number;
      escalationRate: number | null;
    }[];
  };
  backlog: Backlog;
  calls: Calls;
  deflection: { visits: number; deflected: number; rate: number | null } | null;
  operators: {
    operatorId: number;
    name: string;
    requests: number;
    resolved: number;
    resolutionMedian: number | null;
    ratingAverage: number | null;
  }[];
};
export type TodayBoard = {
  day: string;
  summary: Summary;
  backlog: Backlog;
  byChannel: Count[];
  byHour: number[];
  calls: Calls;
  callsWaiting: number | null;
  firstResponseDueSoon: number;
  firstResponseOverdue: number;
};
export type Comment = {
  ratedAt: string | null;
  rating: number;
  comment: string;
  channel: string;
  category: string | null;
};
