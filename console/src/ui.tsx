// Small shared pieces: error notes, dates, the debounce of the search box, what the token may do.
import { createContext, useContext, useEffect, useState } from 'react';
import type { CombinedError } from 'urql';

export interface Abilities {
  read: boolean;
  write: boolean;
  admin: boolean;
}

export const AbilitiesContext = createContext<Abilities>({ read: false, write: false, admin: false });

/** What the signed-in token may do (viewer.scopes): pages hide the buttons it may not use. */
export function useAbilities(): Abilities {
  return useContext(AbilitiesContext);
}

export function errorText(error: CombinedError | Error | undefined | null): string {
  if (!error) return '';
  if ('graphQLErrors' in error && error.graphQLErrors.length) {
    return error.graphQLErrors
      .map((e) => {
        const code = typeof e.extensions?.code === 'string' ? `${e.extensions.code}: ` : '';
        return `${code}${e.message}`;
      })
      .join('\n');
  }
  return error.message.replace(/^\[Network\] /, '');
}

export function ErrorNote({ error }: { error: CombinedError | Error | undefined | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {errorText(error)}
    </p>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function useDebounced<T>(value: T, millis: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), millis);
    return () => clearTimeout(timer);
  }, [value, millis]);
  return settled;
}
