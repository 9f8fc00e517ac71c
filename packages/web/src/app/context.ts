/** What every page is given: the page set, the API client and the URL state. */
import type { DashboardsModel } from '../model/types.js';
import type { PromApi } from './api.js';
import type { TimeRange } from './state.js';

/** URL parameters to set; undefined removes one. */
export type ParamChanges = Readonly<Record<string, string | undefined>>;

/** The app as a page sees it. */
export interface AppContext {
  readonly model: DashboardsModel;
  /** Where the data comes from, for people: `hub` or a backend URL. */
  readonly backend: string;
  readonly api: PromApi;
  /** The current URL's query parameters. */
  params(): URLSearchParams;
  /** The time range the URL asks for. */
  range(): TimeRange;
  /** A link to a page that keeps the range and refresh (and sets `extra`). */
  href(path: string, extra?: ParamChanges): string;
  /** Changes URL parameters of this page and refreshes it (`push` adds a history entry). */
  setParams(changes: ParamChanges, push?: boolean): void;
  /** Shows a fixed range (drag-to-zoom on a graph), Unix seconds. */
  zoom(from: number, to: number): void;
}

/** A page on screen. */
export interface Page {
  /** Loads (or reloads) the page's data for the current URL state. */
  refresh(signal: AbortSignal): Promise<void>;
  dispose?(): void;
}
