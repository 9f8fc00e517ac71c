/** The embedded hub (scraper, TSDB, PromQL, rules, notifier, UI); built in a later issue. */
export {};
