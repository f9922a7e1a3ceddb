/**
 * The uploads an evidence panel shows while they run or after they failed. Each has an id of
 * its own, because two files picked together may have the same name (photo.jpg from two
 * folders) and must not share a progress bar or an error.
 */
export interface Upload {
  id: number;
  name: string;
  progress: number;
  error?: string;
}

export const startUpload = (uploads: readonly Upload[], id: number, name: string): Upload[] => [
  ...uploads,
  { id, name, progress: 0 },
];

export const updateUpload = (
  uploads: readonly Upload[],
  id: number,
  patch: Partial<Pick<Upload, 'progress' | 'error'>>,
): Upload[] => uploads.map((upload) => (upload.id === id ? { ...upload, ...patch } : upload));

export const finishUpload = (uploads: readonly Upload[], id: number): Upload[] =>
  uploads.filter((upload) => upload.id !== id);

/** Before a new choice of files: earlier failures are old news, running uploads stay. */
export const withoutFailed = (uploads: readonly Upload[]): Upload[] =>
  uploads.filter((upload) => upload.error === undefined);

/**
 * Runs tasks at most `limit` at a time, the others waiting in order. Files picked together are
 * uploaded a few at a time: each upload first adds an item to its report's evidence, and many
 * at once only make them retry against each other (and fill a phone's connection).
 */
export const createLimiter = (limit: number) => {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finished task hands its place straight to the next waiting one, so a task arriving
    // meanwhile cannot take it out of turn.
    if (running < limit) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
};
