// Types of woo-connector (index.js). The WIT records are jco's: camelCase
// fields, enums as kebab-case strings, u64 counts as numbers.

/** The key-value store the connector keeps everything in (see store.js for the key layout). */
export interface ConnectorStore {
  get(key: string): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): void | Promise<void>;
  delete(key: string): void | Promise<void>;
  /** Every key starting with `prefix`. */
  keys(prefix: string): string[] | Promise<string[]>;
  /** Write all (a null value deletes) or nothing: `platform.commit` is one call of this. */
  apply(writes: Array<[string, Uint8Array | null]>): void | Promise<void>;
}

export declare class MemoryStore implements ConnectorStore {
  get(key: string): Uint8Array | undefined;
  set(key: string, value: Uint8Array): void;
  delete(key: string): void;
  keys(prefix: string): string[];
  apply(writes: Array<[string, Uint8Array | null]>): void;
}

export type Kind = "contacts" | "orders" | "transactions" | "products" | "collections";
export declare const KINDS: Kind[];

export interface OpenOptions {
  /** Where state and records live (a MemoryStore when absent). */
  store?: ConnectorStore;
  /** The component's log lines (stderr when absent; debug lines dropped). */
  onLog?: (level: "debug" | "info" | "warn" | "error", message: string) => void;
  /** Import progress: `done` of `total` (0 = unknown) items of `kind`. */
  onProgress?: (kind: string, done: number, total: number) => void;
}

export interface ConnectConfig {
  /** `https://host[:port][/subdir]`, or `http://` (then signed with OAuth 1.0a). */
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
  signatureMethod?: "hmac-sha256" | "hmac-sha1";
  ownerEmail?: string;
}

export interface StoreInfo {
  state: "connected" | "reconnect-required" | "disconnected";
  storeUrl: string;
  woocommerceVersion?: string;
  authMethod: string;
  warnings: string[];
}

export interface ToolInfo {
  name: string;
  title: string;
  description: string;
  annotations: { readOnly: boolean; destructive: boolean; idempotent: boolean; openWorld: boolean };
  /** JSON Schema (draft 2020-12) of the arguments, parsed. */
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

export interface KindReport {
  kind: Kind;
  records: number;
  created: number;
  updated: number;
  skipped: number;
  malformed: number;
}

export interface Report {
  kinds: KindReport[];
  requests: number;
  triggers: number;
}

export type DeliveryOutcome = "applied" | "duplicate" | "ping" | "ignored" | "stale" | "deferred";

/** A WIT `error` (wit/types.wit): `tag` is its case (`auth`, `invalid-input` …), `detail` its payload. */
export declare class ConnectorError extends Error {
  tag: string;
  detail: unknown;
}

export declare class Connector {
  static open(options?: OpenOptions): Promise<Connector>;
  readonly store: ConnectorStore;
  connect(config: ConnectConfig): Promise<StoreInfo>;
  status(): Promise<StoreInfo>;
  disconnect(): Promise<void>;
  listTools(): Promise<ToolInfo[]>;
  callTool(name: string, args?: Record<string, unknown>): Promise<any>;
  importAll(kinds?: Kind[]): Promise<Report>;
  syncPass(kinds?: Kind[]): Promise<Report>;
  getSettings(): Promise<Record<string, boolean | number>>;
  setSettings(changes: Record<string, boolean | number>): Promise<void>;
  handleWebhook(headers: Record<string, string> | Array<[string, string]>, body: Uint8Array | string): Promise<DeliveryOutcome>;
  /** Records of `kind` (`contact`, `order`, …, `trigger`, `notification`) held in the store, by id. */
  records(kind: string): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export declare function open(options?: OpenOptions): Promise<Connector>;
