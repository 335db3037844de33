// The profile dialog (layouts/ProfileDialog.vue) is owned by the app layout; any screen may ask
// for it, on a given tab (the user dialog points an admin editing themselves to "password").
import { reactive } from 'vue'

export type ProfileTab = 'profile' | 'password'

export const profileDialog = reactive({ open: false, tab: 'profile' as ProfileTab })

export function openProfile(tab: ProfileTab = 'profile'): void {
  profileDialog.tab = tab
  profileDialog.open = true
}
