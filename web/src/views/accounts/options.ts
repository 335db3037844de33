// Suggested values for free-text account fields (the API accepts any text up to 60 chars).
export const REGIONS = ['华东', '华南', '华北', '华中', '西南', '西北', '东北', '港澳台', 'APAC', 'EMEA', 'Americas']
export const CHANNELS = ['direct', 'distributor', 'oem', 'online', 'project']
export const INDUSTRIES = [
  'automotive',
  'chemicals',
  'construction',
  'electronics',
  'energy',
  'food',
  'logistics',
  'machinery',
  'medical',
  'metals',
  'packaging',
  'pharma',
  'retail',
  'semiconductor',
  'telecom',
  'textiles',
]
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'TWD', 'JPY', 'GBP', 'SGD']

// The account list's optional columns (issue 12: the column chooser); the name (first) and the
// action column always show.
export const ACCOUNT_COLUMNS = ['code', 'tier', 'status', 'owner', 'region', 'channel', 'industry', 'revenue', 'updated_at'] as const
export type AccountColumn = (typeof ACCOUNT_COLUMNS)[number]
export const DEFAULT_COLUMNS: AccountColumn[] = ['code', 'tier', 'status', 'owner', 'region', 'channel', 'revenue', 'updated_at']
