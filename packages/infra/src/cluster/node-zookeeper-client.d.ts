// The part of node-zookeeper-client 1.1.x that DIM uses (the package ships no types).
declare module "node-zookeeper-client" {
  import type { EventEmitter } from "node:events";

  export class State {
    readonly name: string;
    readonly code: number;
    static readonly DISCONNECTED: State;
    static readonly SYNC_CONNECTED: State;
    static readonly AUTH_FAILED: State;
    static readonly CONNECTED_READ_ONLY: State;
    static readonly SASL_AUTHENTICATED: State;
    static readonly EXPIRED: State;
  }

  export const CreateMode: {
    readonly PERSISTENT: 0;
    readonly EPHEMERAL: 1;
    readonly PERSISTENT_SEQUENTIAL: 2;
    readonly EPHEMERAL_SEQUENTIAL: 3;
  };

  export class Exception extends Error {
    static readonly OK: 0;
    static readonly CONNECTION_LOSS: -4;
    static readonly NO_NODE: -101;
    static readonly NODE_EXISTS: -110;
    static readonly NOT_EMPTY: -111;
    static readonly SESSION_EXPIRED: -112;
    static readonly BAD_VERSION: -103;
    readonly code: number;
    readonly name: string;
    readonly path?: string;
    getCode(): number;
    getName(): string;
  }

  export class Event {
    static readonly NODE_CREATED: 1;
    static readonly NODE_DELETED: 2;
    static readonly NODE_DATA_CHANGED: 3;
    static readonly NODE_CHILDREN_CHANGED: 4;
    readonly type: number;
    readonly name: string;
    readonly path: string;
    getType(): number;
    getName(): string;
    getPath(): string;
  }

  export interface Stat {
    czxid: Buffer;
    mzxid: Buffer;
    ctime: Buffer;
    mtime: Buffer;
    version: number;
    cversion: number;
    aversion: number;
    ephemeralOwner: Buffer;
    dataLength: number;
    numChildren: number;
    pzxid: Buffer;
  }

  export interface ACL {
    readonly perms: number;
  }

  export interface ClientOptions {
    sessionTimeout?: number;
    spinDelay?: number;
    retries?: number;
    sessionId?: Buffer;
    sessionPassword?: Buffer;
  }

  type Cb<T> = (error: Exception | Error | null, result: T) => void;
  type Watcher = (event: Event) => void;

  export class Transaction {
    create(path: string, data?: Buffer | null, acls?: ACL[], mode?: number): Transaction;
    setData(path: string, data: Buffer | null, version?: number): Transaction;
    check(path: string, version?: number): Transaction;
    remove(path: string, version?: number): Transaction;
    commit(callback: (error: Exception | Error | null, results: unknown[]) => void): void;
  }

  export class Client extends EventEmitter {
    connect(): void;
    close(): void;
    getState(): State;
    getSessionId(): Buffer;
    getSessionPassword(): Buffer;
    getSessionTimeout(): number;
    create(path: string, data: Buffer | null, mode: number, callback: Cb<string>): void;
    create(path: string, data: Buffer | null, callback: Cb<string>): void;
    create(path: string, callback: Cb<string>): void;
    remove(path: string, version: number, callback: (error: Exception | Error | null) => void): void;
    remove(path: string, callback: (error: Exception | Error | null) => void): void;
    exists(path: string, watcher: Watcher, callback: Cb<Stat | null>): void;
    exists(path: string, callback: Cb<Stat | null>): void;
    getChildren(path: string, watcher: Watcher, callback: (error: Exception | Error | null, children: string[], stat: Stat) => void): void;
    getChildren(path: string, callback: (error: Exception | Error | null, children: string[], stat: Stat) => void): void;
    getData(path: string, watcher: Watcher, callback: (error: Exception | Error | null, data: Buffer | undefined, stat: Stat) => void): void;
    getData(path: string, callback: (error: Exception | Error | null, data: Buffer | undefined, stat: Stat) => void): void;
    setData(path: string, data: Buffer | null, version: number, callback: Cb<Stat>): void;
    mkdirp(path: string, callback: Cb<string>): void;
    transaction(): Transaction;
    on(event: "state", listener: (state: State) => void): this;
    on(event: "connected" | "connectedReadOnly" | "disconnected" | "expired" | "authenticationFailed", listener: () => void): this;
    once(event: "state", listener: (state: State) => void): this;
    once(event: "connected" | "connectedReadOnly" | "disconnected" | "expired" | "authenticationFailed", listener: () => void): this;
  }

  export function createClient(connectionString: string, options?: ClientOptions): Client;

  const zookeeper: {
    createClient: typeof createClient;
    CreateMode: typeof CreateMode;
    State: typeof State;
    Event: typeof Event;
    Exception: typeof Exception;
  };
  export default zookeeper;
}
