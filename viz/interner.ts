/** Maps strings to dense indices in first-sighting order (insertion-ordered, so deterministic). */
export class Interner {
  private readonly indices = new Map<string, number>();
  readonly values: string[] = [];

  /** The index of `value`, adding it when new. */
  intern(value: string): number {
    let index = this.indices.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.indices.set(value, index);
      this.values.push(value);
    }
    return index;
  }

  /** The index of `value`, or -1 when it is absent. */
  find(value: string | undefined): number {
    return value === undefined ? -1 : (this.indices.get(value) ?? -1);
  }

  /** `intern` for a defined value, -1 for undefined. */
  optional(value: string | undefined): number {
    return value === undefined ? -1 : this.intern(value);
  }
}
