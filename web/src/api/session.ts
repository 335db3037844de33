import { http } from './http'
import type { BodyOf, Me, Session } from './types'

export const sessionApi = {
  login: (login: string, password: string) =>
    http.post<Session>('/session', { login, password }, { quiet401: true }),
  current: () => http.get<Session>('/session', undefined, { quiet401: true }),
  logout: () => http.del('/session', { quiet401: true }),
  me: () => http.get<Me>('/me'),
  updateMe: (body: BodyOf<'/api/v1/me', 'patch'>) => http.patch<Me>('/me', body),
  changePassword: (old_password: string, new_password: string) =>
    http.post<void>('/me/password', { old_password, new_password }),
}
