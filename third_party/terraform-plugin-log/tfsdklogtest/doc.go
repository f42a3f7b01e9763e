// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

// Package tfsdklogtest provides functionality for unit testing of SDK
// logging. Provider developers should use the tflogtest package.
package tfsdklogtest
