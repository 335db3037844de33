// The public answer page's own words, in the three languages of a link. The page shows the
// survey in the link's language, which need not be the UI language of the app (a customer opens
// it from WeChat, signed in nowhere), so these few texts travel with the page instead of loading
// a whole language chunk of the app's messages (web/src/locales) for them. Staff screens use the
// locale files (locales/<lang>/survey-answer.json).
import type { Lang } from './api'

export interface Words {
  langName: string
  required: string
  optional: string
  submit: string
  sending: string
  npsLow: string
  npsHigh: string
  csat: string[] // 1..5
  rating: string[] // 1..5
  chooseMany: string
  textHint: string
  chars: string
  missing: string
  thanks: string
  unknown: string
  used: string
  expired: string
  closed: string
  throttled: string
  failed: string
  retry: string
  expires: string
  noToken: string
}

export const WORDS: Record<Lang, Words> = {
  'zh-CN': {
    langName: '简体中文',
    required: '必答',
    optional: '选答',
    submit: '提交',
    sending: '正在提交…',
    npsLow: '完全不可能',
    npsHigh: '非常可能',
    csat: ['非常不满意', '不满意', '一般', '满意', '非常满意'],
    rating: ['很差', '较差', '一般', '较好', '很好'],
    chooseMany: '可多选',
    textHint: '请写下您的意见（选填）',
    chars: '{n}/2000 字',
    missing: '还有必答题未回答',
    thanks: '感谢您的宝贵意见！',
    unknown: '该问卷链接无效，请核对链接是否完整。',
    used: '该问卷链接已经作答过了，感谢您的参与。',
    expired: '该问卷链接已过期。如需作答，请联系您的客户经理。',
    closed: '该问卷已结束，感谢您的关注。',
    throttled: '请求过于频繁，请 {n} 秒后再试。',
    failed: '提交失败，请检查网络后重试。',
    retry: '重试',
    expires: '有效期至 {d}',
    noToken: '链接不完整：请从邮件或消息中重新打开问卷链接。',
  },
  'zh-TW': {
    langName: '繁體中文',
    required: '必答',
    optional: '選答',
    submit: '送出',
    sending: '正在送出…',
    npsLow: '完全不可能',
    npsHigh: '非常可能',
    csat: ['非常不滿意', '不滿意', '普通', '滿意', '非常滿意'],
    rating: ['很差', '較差', '普通', '較好', '很好'],
    chooseMany: '可複選',
    textHint: '請寫下您的意見（選填）',
    chars: '{n}/2000 字',
    missing: '還有必答題未回答',
    thanks: '感謝您的寶貴意見！',
    unknown: '此問卷連結無效，請確認連結是否完整。',
    used: '此問卷連結已經作答過了，感謝您的參與。',
    expired: '此問卷連結已過期。如需作答，請聯絡您的客戶經理。',
    closed: '此問卷已結束，感謝您的關注。',
    throttled: '請求過於頻繁，請 {n} 秒後再試。',
    failed: '送出失敗，請檢查網路後重試。',
    retry: '重試',
    expires: '有效期限至 {d}',
    noToken: '連結不完整：請從郵件或訊息中重新開啟問卷連結。',
  },
  en: {
    langName: 'English',
    required: 'Required',
    optional: 'Optional',
    submit: 'Submit',
    sending: 'Sending…',
    npsLow: 'Not at all likely',
    npsHigh: 'Extremely likely',
    csat: ['Very dissatisfied', 'Dissatisfied', 'Neutral', 'Satisfied', 'Very satisfied'],
    rating: ['Very poor', 'Poor', 'Fair', 'Good', 'Very good'],
    chooseMany: 'Choose any',
    textHint: 'Your comments (optional)',
    chars: '{n}/2000 characters',
    missing: 'Some required questions are not answered yet',
    thanks: 'Thank you for your answers.',
    unknown: 'This survey link is not valid. Please check that the link is complete.',
    used: 'This survey link has already been answered. Thank you for taking part.',
    expired: 'This survey link has expired. Please contact your account manager to answer.',
    closed: 'This survey is closed. Thank you for your interest.',
    throttled: 'Too many requests. Please try again in {n} seconds.',
    failed: 'Could not send. Please check the network and try again.',
    retry: 'Try again',
    expires: 'Open until {d}',
    noToken: 'The link is incomplete: please open the survey link from the e-mail or message again.',
  },
}

export function fill(s: string, p: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(p[k] ?? ''))
}
