/** apache-md5 ships no types: md5-crypt of `password` with `salt` (`$1$salt$` gives the classic crypt(3) MD5 form). */
declare module 'apache-md5' {
  export default function md5(password: string, salt?: string): string;
}
