/**
 * Runtime polyfills for Node 20 (DESIGN.md §4): aws-local-stepfunctions 3
 * calls `Promise.withResolvers` (ES2024, native from Node 22). Import this
 * module once, before the engine runs: `import '@fluxio/contracts/polyfills'`.
 */
interface PromiseWithResolversShape<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseCtor = Promise as unknown as { withResolvers?: <T>() => PromiseWithResolversShape<T> };
if (typeof promiseCtor.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(): PromiseWithResolversShape<T> {
      let resolve!: PromiseWithResolversShape<T>['resolve'];
      let reject!: PromiseWithResolversShape<T>['reject'];
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
