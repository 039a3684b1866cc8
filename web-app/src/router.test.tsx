import { beforeEach, describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { navigate, roomPath, roomSlugFromPath, usePath } from './router';

function ShowPath() {
  return <p data-testid="path">{usePath()}</p>;
}

beforeEach(() => window.history.replaceState(null, '', '/'));

describe('router', () => {
  it('finds the room slug in the paths a join link may have', () => {
    expect(roomSlugFromPath('/')).toBeNull();
    expect(roomSlugFromPath('/r/team-sync')).toBe('team-sync');
    expect(roomSlugFromPath('/rooms/abc_1/')).toBe('abc_1');
    expect(roomSlugFromPath('/abc')).toBe('abc');
    expect(roomSlugFromPath('/a/b/c')).toBeNull();
    expect(roomSlugFromPath('/r/%3Cscript%3E')).toBeNull();
    expect(roomPath('a b')).toBe('/r/a%20b');
  });

  it('re-renders on navigate and on the back button', () => {
    render(<ShowPath />);
    act(() => navigate('/r/abc'));
    expect(screen.getByTestId('path')).toHaveTextContent('/r/abc');
    act(() => {
      window.history.replaceState(null, '', '/');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    expect(screen.getByTestId('path')).toHaveTextContent(/^\/$/);
  });
});
