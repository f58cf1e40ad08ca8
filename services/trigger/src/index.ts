/** @fluxio/trigger: schedules, subscriptions, result topics and the executions API (issue 9). */
export * from './ports.ts';
