# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Prove that an exception carries no secret, wherever one could hide."""


def _texts(error, seen):
    """Every text an exception shows: str, repr, args, attributes, chain."""
    if error is None or id(error) in seen:
        return
    seen.add(id(error))
    yield str(error)
    yield repr(error)
    for arg in error.args:
        yield repr(arg)
        yield str(arg)
    for name, value in vars(error).items():
        yield '%s=%r' % (name, value)
        if isinstance(value, BaseException):
            yield from _texts(value, seen)
    yield from _texts(error.__cause__, seen)
    yield from _texts(error.__context__, seen)


def assert_no_secret(error, secrets):
    """Fail if any of ``secrets`` shows anywhere in ``error``.

    :param error: the exception raised.
    :param secrets: strings that must not appear.
    """
    texts = list(_texts(error, set()))
    for secret in secrets:
        for text in texts:
            assert secret not in text, (secret, text)
