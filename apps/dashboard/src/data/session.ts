// The signed-in API key, kept for this browser tab only (sessionStorage: gone when the tab closes).
const KEY = 'crm.apiKey';

export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeApiKey(apiKey: string | null) {
  if (apiKey) sessionStorage.setItem(KEY, apiKey);
  else sessionStorage.removeItem(KEY);
}
