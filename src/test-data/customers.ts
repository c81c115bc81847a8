// Seeded, realistic test data for imports: rows of seed 004 (客户资料导入) with Chinese-looking
// names, phones, WeChat openids/unionids, e-mails, tags and multi-valued custom fields. About
// `overlap` of the rows describe a person an earlier row already described (same phone, same
// unionid with a phone they lacked, …), so an import exercises matching and updates.
//
// Deterministic: the same options give the same rows, byte for byte (pure-rand's
// xoroshiro128+, seeded with `seed`; no Date.now or Math.random).
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { csvField, PROFILE_COLUMNS } from '../domain/imports/file-format.ts';

/** One row of seed 004's 客户资料, as a file carries it (customFields as a list). */
export interface ProfileRow {
  identityId?: string;
  identityType?: string;
  audienceUserId?: string;
  openid?: string;
  unionid?: string;
  phone?: string;
  realName?: string;
  sex?: string;
  address?: string;
  birthday?: string;
  remark?: string;
  tags?: string;
  customFields?: { configId: number; configName: string; values: string[] }[];
}

export interface GenerateOptions {
  /** Number of rows. */
  customers: number;
  /** Share of rows (0…0.9) that describe a person of an earlier row. */
  overlap?: number;
  seed?: number;
  /** Tags and custom fields on each row (default true); without them a row is profile and identities only. */
  extras?: boolean;
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  );
const GIVEN =
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣怡梓涵子轩雨泽思远佳琪晨曦嘉怡浩然一诺若汐'.split(
    '',
  );
const PLACES: [province: string, cities: string[]][] = [
  ['广东省', ['广州市', '深圳市', '佛山市', '东莞市']],
  ['浙江省', ['杭州市', '宁波市', '温州市']],
  ['江苏省', ['南京市', '苏州市', '无锡市']],
  ['北京市', ['北京市']],
  ['上海市', ['上海市']],
  ['四川省', ['成都市', '绵阳市']],
  ['湖北省', ['武汉市', '宜昌市']],
  ['山东省', ['济南市', '青岛市', '烟台市']],
];
const STREETS = ['人民路', '中山路', '解放路', '建设路', '和平路', '新华路', '长江路', '学府路', '科技园路', '滨江大道'];
const TAGS = ['VIP', '新客', '老客户', '高意向', '已成交', '待跟进', '活动报名', '直播观众', '公众号粉丝', '小程序用户'];
const INTERESTS = ['阅读', '篮球', '旅行', '摄影', '烘焙', '瑜伽', '音乐', '电影', '跑步', '编程'];
const LEVELS = ['普通会员', '银卡', '金卡', '钻石卡'];
const CHANNELS = ['公众号', '小程序', '线下门店', '直播', '官网'];
const EMAIL_DOMAINS = ['qq.com', '163.com', '126.com', 'sina.com', 'gmail.com', 'example.cn'];

/** What the generator remembers of a person, to write later rows about them. */
interface Person {
  number: number;
  realName: string;
  sex: string;
  phone?: string;
  unionid?: string;
  openid?: string;
  email?: string;
}

/** A seeded source of choices. */
class Random {
  private readonly rng;
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }
  /** An integer in [from, to]. */
  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }
  /** true with probability p (resolution 1e-6). */
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  /** `count` distinct items. */
  some<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length) out.push(pool.splice(this.int(0, pool.length - 1), 1)[0]);
    return out;
  }
  token(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.int(0, alphabet.length - 1)];
    return text;
  }
}

// Identity values embed the person's number, so two people never share one by chance
// (a collision would silently merge two people and break the overlap the tests count). The
// phone scrambles it: n ↦ (n·7919 + 104729) mod 10⁹ is one-to-one (7919 is prime to 10).
const phoneOf = (random: Random, n: number) => `1${random.int(3, 9)}${String((n * 7919 + 104_729) % 1_000_000_000).padStart(9, '0')}`;
const unionidOf = (random: Random, n: number) => `oU${random.token(18)}${n.toString(36)}`;
const openidOf = (random: Random, n: number, app: number) => `o${app}${random.token(20)}${n.toString(36)}`;

function newPerson(random: Random, number: number): Person {
  const given = random.int(1, 2) === 1 ? random.pick(GIVEN) : random.pick(GIVEN) + random.pick(GIVEN);
  const person: Person = { number, realName: random.pick(SURNAMES) + given, sex: random.chance(0.5) ? '男' : '女' };
  // Every person has a phone or a unionid (or both), so fuzzy matching can find them again.
  const identities = random.int(0, 9);
  if (identities < 8) person.phone = phoneOf(random, number);
  if (identities >= 3) person.unionid = unionidOf(random, number);
  if (identities >= 3 && random.chance(0.8)) person.openid = openidOf(random, number, 1);
  if (random.chance(0.4))
    person.email = `user${number}.${random.token(4).toLowerCase().replace(/[_-]/g, 'x')}@${random.pick(EMAIL_DOMAINS)}`;
  return person;
}

/** The fields every row carries besides identities: they change from row to row of a person. */
function profileOf(random: Random, person: Person, extras: boolean): ProfileRow {
  const [province, cities] = random.pick(PLACES);
  const row: ProfileRow = {
    realName: person.realName,
    sex: person.sex,
    address: `${province}${random.pick(cities)}${random.pick(STREETS)}${random.int(1, 999)}号`,
    birthday: `${random.int(1960, 2008)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`,
    tags: random.some(TAGS, random.int(0, 3)).join(','),
    customFields: [
      { configId: 1, configName: '兴趣爱好', values: random.some(INTERESTS, random.int(1, 3)) },
      { configId: 2, configName: '会员等级', values: [random.pick(LEVELS)] },
    ],
  };
  if (random.chance(0.3)) row.remark = `来自${random.pick(CHANNELS)}`;
  // Drawn either way, so that the same seed gives the same people with or without extras.
  if (!extras) {
    delete row.tags;
    delete row.customFields;
  }
  return row;
}

/**
 * The rows, one at a time (constant memory but for a few fields per person). Row i describes
 * a new person with probability 1 - overlap, else a person of an earlier row, found by
 * identities that person already has, possibly adding one they lacked.
 */
export function* generateProfileRows(options: GenerateOptions): Generator<ProfileRow> {
  const overlap = options.overlap ?? 0.2;
  if (!(overlap >= 0 && overlap <= 0.9)) throw new Error('overlap must be between 0 and 0.9');
  if (!Number.isInteger(options.customers) || options.customers < 0) throw new Error('customers must be a whole number ≥ 0');
  const random = new Random(options.seed ?? 1);
  const extras = options.extras ?? true;
  const people: Person[] = [];
  for (let i = 0; i < options.customers; i++) {
    if (people.length === 0 || !random.chance(overlap)) {
      const person = newPerson(random, people.length + 1);
      people.push(person);
      const row: ProfileRow = { ...profileOf(random, person, extras) };
      if (person.phone) row.phone = person.phone;
      if (person.unionid) row.unionid = person.unionid;
      if (person.openid) row.openid = person.openid;
      // identityType + identityId name the identity exact matching (matchingType 1) uses.
      if (person.email) Object.assign(row, { identityType: 'email', identityId: person.email });
      else if (person.phone) Object.assign(row, { identityType: 'phone', identityId: person.phone });
      else Object.assign(row, { identityType: 'unionid', identityId: person.unionid });
      yield row;
      continue;
    }
    const person = people[random.int(0, people.length - 1)];
    const row: ProfileRow = { ...profileOf(random, person, extras) };
    const way = random.int(0, 2);
    if (way === 0 && person.phone) {
      // The same phone, new details (a later visit of the same person).
      row.phone = person.phone;
      Object.assign(row, { identityType: 'phone', identityId: person.phone });
    } else if (way === 1 && person.unionid) {
      // Found by unionid; brings a phone the person did not have yet.
      row.unionid = person.unionid;
      if (!person.phone && random.chance(0.7)) person.phone = phoneOf(random, person.number);
      if (person.phone) row.phone = person.phone;
      Object.assign(row, { identityType: 'unionid', identityId: person.unionid });
    } else {
      // Found by phone (or unionid); brings a unionid they lacked, or a second app's openid.
      const key = person.phone ? 'phone' : 'unionid';
      if (person.phone) row.phone = person.phone;
      if (!person.unionid) person.unionid = unionidOf(random, person.number);
      row.unionid = person.unionid;
      if (random.chance(0.5)) row.openid = openidOf(random, person.number, 2);
      Object.assign(row, { identityType: key, identityId: person[key] });
    }
    yield row;
  }
}

/** A row as a CSV record: customFields as JSON text, absent fields empty. */
export function profileRowToCsv(row: ProfileRow): string {
  return PROFILE_COLUMNS.map((column) => {
    const value = row[column];
    if (value === undefined) return '';
    return csvField(typeof value === 'string' ? value : JSON.stringify(value));
  }).join(',');
}
