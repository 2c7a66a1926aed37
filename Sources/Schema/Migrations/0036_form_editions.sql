-- The editions the forms follow (see README, "Statistical forms"): ОО-1 as of 20 September,
-- 85-К for the calendar year (Rosstat order of 31.07.2024 № 332, changed 12.12.2024 № 638).
-- Next year's edition is a new row, not new code.
INSERT INTO eduql.form_definitions (form, edition, title, definition) VALUES ('OO-1', '2024', 'Сведения об организации, осуществляющей подготовку по образовательным программам начального общего, основного общего, среднего общего образования', $definition${
 "form": "OO-1",
 "edition": "2024",
 "reportingDate": {
  "month": 9,
  "day": 20
 },
 "organizationKinds": [
  "school"
 ],
 "sections": [
  {
   "number": "2.1.1",
   "title": "Классы и обучающиеся по классам (параллелям)",
   "dataset": "classes",
   "rows": [
    {
     "number": "01",
     "label": "1 класс",
     "where": "grade = 1"
    },
    {
     "number": "02",
     "label": "2 класс",
     "where": "grade = 2"
    },
    {
     "number": "03",
     "label": "3 класс",
     "where": "grade = 3"
    },
    {
     "number": "04",
     "label": "4 класс",
     "where": "grade = 4"
    },
    {
     "number": "05",
     "label": "5 класс",
     "where": "grade = 5"
    },
    {
     "number": "06",
     "label": "6 класс",
     "where": "grade = 6"
    },
    {
     "number": "07",
     "label": "7 класс",
     "where": "grade = 7"
    },
    {
     "number": "08",
     "label": "8 класс",
     "where": "grade = 8"
    },
    {
     "number": "09",
     "label": "9 класс",
     "where": "grade = 9"
    },
    {
     "number": "10",
     "label": "10 класс",
     "where": "grade = 10"
    },
    {
     "number": "11",
     "label": "11 класс",
     "where": "grade = 11"
    },
    {
     "number": "12",
     "label": "12 класс",
     "where": "grade = 12"
    },
    {
     "number": "13",
     "label": "Всего (сумма строк 01–12)",
     "where": "true"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Число классов"
    },
    {
     "number": "4",
     "label": "Численность обучающихся",
     "sum": "learners"
    },
    {
     "number": "5",
     "label": "из них девочек",
     "sum": "girls"
    }
   ]
  },
  {
   "number": "2.1.2",
   "title": "Обучающиеся по адаптированным образовательным программам, по вариантам",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Всего по адаптированным программам",
     "where": "programme = 'adapted'"
    },
    {
     "number": "02",
     "label": "вариант 1.x — для обучающихся глухих",
     "where": "adapted_variant LIKE '1.%'"
    },
    {
     "number": "03",
     "label": "вариант 2.x — для обучающихся слабослышащих",
     "where": "adapted_variant LIKE '2.%'"
    },
    {
     "number": "04",
     "label": "вариант 3.x — для обучающихся слепых",
     "where": "adapted_variant LIKE '3.%'"
    },
    {
     "number": "05",
     "label": "вариант 4.x — для обучающихся слабовидящих",
     "where": "adapted_variant LIKE '4.%'"
    },
    {
     "number": "06",
     "label": "вариант 5.x — для обучающихся с тяжёлыми нарушениями речи",
     "where": "adapted_variant LIKE '5.%'"
    },
    {
     "number": "07",
     "label": "вариант 6.x — для обучающихся с нарушениями опорно-двигательного аппарата",
     "where": "adapted_variant LIKE '6.%'"
    },
    {
     "number": "08",
     "label": "вариант 7.x — для обучающихся с задержкой психического развития",
     "where": "adapted_variant LIKE '7.%'"
    },
    {
     "number": "09",
     "label": "вариант 8.x — для обучающихся с расстройствами аутистического спектра",
     "where": "adapted_variant LIKE '8.%'"
    },
    {
     "number": "10",
     "label": "вариант 9.x — для обучающихся с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "adapted_variant LIKE '9.%'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Численность обучающихся"
    },
    {
     "number": "4",
     "label": "из них девочек",
     "where": "gender = 'female'"
    }
   ]
  },
  {
   "number": "2.4",
   "title": "Классы (классы-комплекты) и малокомплектные классы",
   "dataset": "classes",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–04)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "03",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "04",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    },
    {
     "number": "05",
     "label": "из строки 01 — малокомплектные (в городе менее 25, в сельской местности менее 14 обучающихся)",
     "where": "(rural AND learners < 14) OR (NOT rural AND learners < 25)"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Число классов"
    },
    {
     "number": "4",
     "label": "Численность обучающихся в них",
     "sum": "learners"
    }
   ]
  },
  {
   "number": "2.5",
   "title": "Обучающиеся по возрасту (полных лет на 1 января следующего года) и полу",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Всего (сумма строк 02–15)",
     "where": "true"
    },
    {
     "number": "02",
     "label": "6 лет и моложе",
     "where": "age <= 6"
    },
    {
     "number": "03",
     "label": "7 лет",
     "where": "age = 7"
    },
    {
     "number": "04",
     "label": "8 лет",
     "where": "age = 8"
    },
    {
     "number": "05",
     "label": "9 лет",
     "where": "age = 9"
    },
    {
     "number": "06",
     "label": "10 лет",
     "where": "age = 10"
    },
    {
     "number": "07",
     "label": "11 лет",
     "where": "age = 11"
    },
    {
     "number": "08",
     "label": "12 лет",
     "where": "age = 12"
    },
    {
     "number": "09",
     "label": "13 лет",
     "where": "age = 13"
    },
    {
     "number": "10",
     "label": "14 лет",
     "where": "age = 14"
    },
    {
     "number": "11",
     "label": "15 лет",
     "where": "age = 15"
    },
    {
     "number": "12",
     "label": "16 лет",
     "where": "age = 16"
    },
    {
     "number": "13",
     "label": "17 лет",
     "where": "age = 17"
    },
    {
     "number": "14",
     "label": "18 лет",
     "where": "age = 18"
    },
    {
     "number": "15",
     "label": "19 лет и старше",
     "where": "age >= 19"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них девочек",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "из них иностранных граждан",
     "where": "citizenship NOT IN ('RUS', 'stateless')"
    }
   ]
  },
  {
   "number": "2.6",
   "title": "Движение обучающихся за предыдущий учебный год",
   "dataset": "movements",
   "rows": [
    {
     "number": "01",
     "label": "Прибыло обучающихся",
     "where": "kind = 'admitted'"
    },
    {
     "number": "02",
     "label": "Выбыло обучающихся (сумма строк 03, 04)",
     "where": "kind IN ('transferred', 'expelled')"
    },
    {
     "number": "03",
     "label": "из них переведено в другие организации",
     "where": "kind = 'transferred'"
    },
    {
     "number": "04",
     "label": "из них отчислено",
     "where": "kind = 'expelled'"
    },
    {
     "number": "05",
     "label": "Выпущено (завершили обучение)",
     "where": "kind = 'graduated'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–6)"
    },
    {
     "number": "4",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "5",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "6",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    }
   ]
  },
  {
   "number": "2.7",
   "title": "Обучающиеся, оставленные на повторное обучение",
   "dataset": "learners",
   "rows": [
    {
     "number": "01",
     "label": "Численность обучающихся",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них оставлены на повторное обучение",
     "where": "repeats"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–6)"
    },
    {
     "number": "4",
     "label": "1–4 классы",
     "where": "grade BETWEEN 1 AND 4"
    },
    {
     "number": "5",
     "label": "5–9 классы",
     "where": "grade BETWEEN 5 AND 9"
    },
    {
     "number": "6",
     "label": "10–11 (12) классы",
     "where": "grade BETWEEN 10 AND 12"
    }
   ]
  },
  {
   "number": "3.1",
   "title": "Работники по уровню образования",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "Высшее образование",
     "where": "education_level IN ('higher', 'higher_pedagogical')"
    },
    {
     "number": "6",
     "label": "из него педагогическое",
     "where": "education_level = 'higher_pedagogical'"
    },
    {
     "number": "7",
     "label": "Среднее профессиональное",
     "where": "education_level IN ('secondary_vocational', 'secondary_vocational_pedagogical')"
    },
    {
     "number": "8",
     "label": "из него педагогическое",
     "where": "education_level = 'secondary_vocational_pedagogical'"
    },
    {
     "number": "9",
     "label": "Среднее общее",
     "where": "education_level = 'secondary'"
    }
   ]
  },
  {
   "number": "3.2",
   "title": "Работники по возрасту (полных лет на отчётную дату)",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "моложе 25 лет",
     "where": "age < 25"
    },
    {
     "number": "5",
     "label": "25–29",
     "where": "age BETWEEN 25 AND 29"
    },
    {
     "number": "6",
     "label": "30–34",
     "where": "age BETWEEN 30 AND 34"
    },
    {
     "number": "7",
     "label": "35–39",
     "where": "age BETWEEN 35 AND 39"
    },
    {
     "number": "8",
     "label": "40–44",
     "where": "age BETWEEN 40 AND 44"
    },
    {
     "number": "9",
     "label": "45–49",
     "where": "age BETWEEN 45 AND 49"
    },
    {
     "number": "10",
     "label": "50–54",
     "where": "age BETWEEN 50 AND 54"
    },
    {
     "number": "11",
     "label": "55–59",
     "where": "age BETWEEN 55 AND 59"
    },
    {
     "number": "12",
     "label": "60–64",
     "where": "age BETWEEN 60 AND 64"
    },
    {
     "number": "13",
     "label": "65 лет и старше",
     "where": "age >= 65"
    }
   ]
  },
  {
   "number": "3.3",
   "title": "Работники по стажу педагогической работы",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "до 3 лет",
     "where": "experience < 3"
    },
    {
     "number": "5",
     "label": "от 3 до 5 лет",
     "where": "experience >= 3 AND experience < 5"
    },
    {
     "number": "6",
     "label": "от 5 до 10 лет",
     "where": "experience >= 5 AND experience < 10"
    },
    {
     "number": "7",
     "label": "от 10 до 15 лет",
     "where": "experience >= 10 AND experience < 15"
    },
    {
     "number": "8",
     "label": "от 15 до 20 лет",
     "where": "experience >= 15 AND experience < 20"
    },
    {
     "number": "9",
     "label": "20 лет и более",
     "where": "experience >= 20"
    }
   ]
  },
  {
   "number": "3.4",
   "title": "Штатные единицы и ставки",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Работников"
    },
    {
     "number": "4",
     "label": "Занятых ставок",
     "sum": "rate"
    },
    {
     "number": "5",
     "label": "основных работников",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренних совместителей",
     "where": "employment = 'part_time'"
    }
   ]
  }
 ],
 "ratios": [
  {
   "name": "2.6: стр. 02 = стр. 03 + стр. 04",
   "kind": "sum",
   "section": "2.6",
   "total": {
    "row": "02"
   },
   "parts": [
    "03",
    "04"
   ]
  },
  {
   "name": "2.6: гр. 3 = сумма гр. 4–6",
   "kind": "sum",
   "section": "2.6",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6"
   ]
  },
  {
   "name": "2.7: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "2.7",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "2.7: гр. 3 = сумма гр. 4–6",
   "kind": "sum",
   "section": "2.7",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6"
   ]
  },
  {
   "name": "2.7 стр. 01 гр. 3 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.7",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "2.1.1: стр. 13 = сумма стр. 01–12",
   "kind": "sum",
   "section": "2.1.1",
   "total": {
    "row": "13"
   },
   "parts": [
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12"
   ]
  },
  {
   "name": "2.1.2: стр. 01 = сумма стр. 02–10",
   "kind": "sum",
   "section": "2.1.2",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10"
   ]
  },
  {
   "name": "2.4: стр. 01 = стр. 02 + 03 + 04",
   "kind": "sum",
   "section": "2.4",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04"
   ]
  },
  {
   "name": "2.4: стр. 05 ≤ стр. 01",
   "kind": "notGreater",
   "section": "2.4",
   "row": "05",
   "parent": "01"
  },
  {
   "name": "2.4 стр. 01 гр. 3 = 2.1.1 стр. 13 гр. 3",
   "kind": "equal",
   "a": {
    "section": "2.4",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "3"
   }
  },
  {
   "name": "2.4 стр. 01 гр. 4 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.4",
    "row": "01",
    "column": "4"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "2.5: стр. 01 = сумма стр. 02–15",
   "kind": "sum",
   "section": "2.5",
   "total": {
    "row": "01"
   },
   "parts": [
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "12",
    "13",
    "14",
    "15"
   ]
  },
  {
   "name": "2.5 стр. 01 гр. 3 = 2.1.1 стр. 13 гр. 4",
   "kind": "equal",
   "a": {
    "section": "2.5",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "2.1.1",
    "row": "13",
    "column": "4"
   }
  },
  {
   "name": "3.1: гр. 3 = гр. 5 + гр. 7 + гр. 9",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "7",
    "9"
   ]
  },
  {
   "name": "3.1: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.1: стр. 03 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "03",
   "parent": "01"
  },
  {
   "name": "3.2: гр. 3 = сумма гр. 4–13",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13"
   ]
  },
  {
   "name": "3.3: гр. 3 = сумма гр. 4–9",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9"
   ]
  },
  {
   "name": "3.4: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.4",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.2 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.2",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.3 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.3",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.4 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.4",
    "row": "01",
    "column": "3"
   }
  }
 ]
}$definition$);
INSERT INTO eduql.form_definitions (form, edition, title, definition) VALUES ('85-K', '2024', 'Сведения о деятельности организации, осуществляющей образовательную деятельность по образовательным программам дошкольного образования, присмотр и уход за детьми', $definition${
 "form": "85-K",
 "edition": "2024",
 "reportingDate": {
  "month": 12,
  "day": 31
 },
 "organizationKinds": [
  "kindergarten"
 ],
 "sections": [
  {
   "number": "4",
   "title": "Группы по направленности и возрасту детей (на 31 декабря)",
   "dataset": "groups",
   "rows": [
    {
     "number": "401",
     "label": "Всего групп (сумма строк 402, 413, 414, 418, 421)",
     "where": "true"
    },
    {
     "number": "402",
     "label": "компенсирующей направленности (сумма строк 403–412, кроме 409)",
     "where": "orientation = 'compensating' AND NOT short_stay"
    },
    {
     "number": "403",
     "label": "для детей с нарушениями слуха",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('hearing')"
    },
    {
     "number": "404",
     "label": "для детей с тяжёлыми нарушениями речи",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('speech')"
    },
    {
     "number": "406",
     "label": "для детей с нарушениями зрения",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('vision')"
    },
    {
     "number": "407",
     "label": "для детей с умственной отсталостью (интеллектуальными нарушениями)",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('intellectual')"
    },
    {
     "number": "408",
     "label": "для детей с задержкой психического развития",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('delayed_development', 'autism')"
    },
    {
     "number": "409",
     "label": "из них с расстройствами аутистического спектра",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('autism')"
    },
    {
     "number": "410",
     "label": "для детей с нарушениями опорно-двигательного аппарата",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('musculoskeletal')"
    },
    {
     "number": "411",
     "label": "для детей со сложными дефектами",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('complex')"
    },
    {
     "number": "412",
     "label": "для детей с иными ограниченными возможностями здоровья",
     "where": "orientation = 'compensating' AND NOT short_stay AND compensating_kind IN ('other')"
    },
    {
     "number": "413",
     "label": "общеразвивающей направленности",
     "where": "coalesce(orientation, 'general') = 'general' AND NOT short_stay"
    },
    {
     "number": "414",
     "label": "оздоровительной направленности",
     "where": "orientation = 'health' AND NOT short_stay"
    },
    {
     "number": "418",
     "label": "комбинированной направленности",
     "where": "orientation = 'combined' AND NOT short_stay"
    },
    {
     "number": "421",
     "label": "кратковременного пребывания",
     "where": "short_stay"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего групп"
    },
    {
     "number": "4",
     "label": "от 2 месяцев до 1 года",
     "where": "age_to < 1"
    },
    {
     "number": "5",
     "label": "от 1 года до 3 лет",
     "where": "age_from >= 1 AND age_to <= 2"
    },
    {
     "number": "6",
     "label": "от 3 до 5 лет",
     "where": "age_from >= 3 AND age_to <= 4"
    },
    {
     "number": "7",
     "label": "от 5 лет и старше",
     "where": "age_from >= 5"
    },
    {
     "number": "8",
     "label": "разновозрастные",
     "where": "NOT ((age_to < 1) OR (age_from >= 1 AND age_to <= 2) OR (age_from >= 3 AND age_to <= 4) OR (age_from >= 5))"
    },
    {
     "number": "9",
     "label": "Численность детей в группах",
     "sum": "children"
    }
   ]
  },
  {
   "number": "7",
   "title": "Численность детей по возрасту (полных лет на 1 января следующего года)",
   "dataset": "children",
   "rows": [
    {
     "number": "701",
     "label": "Численность детей — всего",
     "where": "true"
    },
    {
     "number": "702",
     "label": "из них девочки",
     "where": "gender = 'female'"
    },
    {
     "number": "703",
     "label": "осваивающих образовательные программы дошкольного образования",
     "where": "true"
    },
    {
     "number": "704",
     "label": "из них девочки",
     "where": "gender = 'female'"
    },
    {
     "number": "705",
     "label": "осваивающих адаптированные образовательные программы",
     "where": "orientation = 'compensating'"
    },
    {
     "number": "706",
     "label": "из них девочки",
     "where": "orientation = 'compensating' AND gender = 'female'"
    },
    {
     "number": "707",
     "label": "иностранные граждане",
     "where": "citizenship NOT IN ('RUS', 'stateless')"
    },
    {
     "number": "708",
     "label": "из них девочки",
     "where": "citizenship NOT IN ('RUS', 'stateless') AND gender = 'female'"
    },
    {
     "number": "711",
     "label": "лица без гражданства",
     "where": "citizenship = 'stateless'"
    },
    {
     "number": "712",
     "label": "из них девочки",
     "where": "citizenship = 'stateless' AND gender = 'female'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего (сумма гр. 4–11)"
    },
    {
     "number": "4",
     "label": "до 1 года",
     "where": "age < 1"
    },
    {
     "number": "5",
     "label": "1 год",
     "where": "age = 1"
    },
    {
     "number": "6",
     "label": "2 года",
     "where": "age = 2"
    },
    {
     "number": "7",
     "label": "3 года",
     "where": "age = 3"
    },
    {
     "number": "8",
     "label": "4 года",
     "where": "age = 4"
    },
    {
     "number": "9",
     "label": "5 лет",
     "where": "age = 5"
    },
    {
     "number": "10",
     "label": "6 лет",
     "where": "age = 6"
    },
    {
     "number": "11",
     "label": "7 лет и старше",
     "where": "age >= 7"
    }
   ]
  },
  {
   "number": "3.1",
   "title": "Работники по уровню образования",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    },
    {
     "number": "03",
     "label": "из них основные работники (не совместители)",
     "where": "employment = 'main'"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "из них женщины",
     "where": "gender = 'female'"
    },
    {
     "number": "5",
     "label": "Высшее образование",
     "where": "education_level IN ('higher', 'higher_pedagogical')"
    },
    {
     "number": "6",
     "label": "из него педагогическое",
     "where": "education_level = 'higher_pedagogical'"
    },
    {
     "number": "7",
     "label": "Среднее профессиональное",
     "where": "education_level IN ('secondary_vocational', 'secondary_vocational_pedagogical')"
    },
    {
     "number": "8",
     "label": "из него педагогическое",
     "where": "education_level = 'secondary_vocational_pedagogical'"
    },
    {
     "number": "9",
     "label": "Среднее общее",
     "where": "education_level = 'secondary'"
    }
   ]
  },
  {
   "number": "3.2",
   "title": "Работники по возрасту (полных лет на отчётную дату)",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "моложе 25 лет",
     "where": "age < 25"
    },
    {
     "number": "5",
     "label": "25–29",
     "where": "age BETWEEN 25 AND 29"
    },
    {
     "number": "6",
     "label": "30–34",
     "where": "age BETWEEN 30 AND 34"
    },
    {
     "number": "7",
     "label": "35–39",
     "where": "age BETWEEN 35 AND 39"
    },
    {
     "number": "8",
     "label": "40–44",
     "where": "age BETWEEN 40 AND 44"
    },
    {
     "number": "9",
     "label": "45–49",
     "where": "age BETWEEN 45 AND 49"
    },
    {
     "number": "10",
     "label": "50–54",
     "where": "age BETWEEN 50 AND 54"
    },
    {
     "number": "11",
     "label": "55–59",
     "where": "age BETWEEN 55 AND 59"
    },
    {
     "number": "12",
     "label": "60–64",
     "where": "age BETWEEN 60 AND 64"
    },
    {
     "number": "13",
     "label": "65 лет и старше",
     "where": "age >= 65"
    }
   ]
  },
  {
   "number": "3.3",
   "title": "Работники по стажу педагогической работы",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Всего"
    },
    {
     "number": "4",
     "label": "до 3 лет",
     "where": "experience < 3"
    },
    {
     "number": "5",
     "label": "от 3 до 5 лет",
     "where": "experience >= 3 AND experience < 5"
    },
    {
     "number": "6",
     "label": "от 5 до 10 лет",
     "where": "experience >= 5 AND experience < 10"
    },
    {
     "number": "7",
     "label": "от 10 до 15 лет",
     "where": "experience >= 10 AND experience < 15"
    },
    {
     "number": "8",
     "label": "от 15 до 20 лет",
     "where": "experience >= 15 AND experience < 20"
    },
    {
     "number": "9",
     "label": "20 лет и более",
     "where": "experience >= 20"
    }
   ]
  },
  {
   "number": "3.4",
   "title": "Штатные единицы и ставки",
   "dataset": "staff",
   "rows": [
    {
     "number": "01",
     "label": "Численность работников — всего",
     "where": "true"
    },
    {
     "number": "02",
     "label": "из них педагогические работники",
     "where": "teacher"
    }
   ],
   "columns": [
    {
     "number": "3",
     "label": "Работников"
    },
    {
     "number": "4",
     "label": "Занятых ставок",
     "sum": "rate"
    },
    {
     "number": "5",
     "label": "основных работников",
     "where": "employment = 'main'"
    },
    {
     "number": "6",
     "label": "внутренних совместителей",
     "where": "employment = 'part_time'"
    }
   ]
  }
 ],
 "ratios": [
  {
   "name": "4: стр. 401 = стр. 402 + 413 + 414 + 418 + 421",
   "kind": "sum",
   "section": "4",
   "total": {
    "row": "401"
   },
   "parts": [
    "402",
    "413",
    "414",
    "418",
    "421"
   ]
  },
  {
   "name": "4: стр. 402 = сумма стр. 403–412 (кроме 409)",
   "kind": "sum",
   "section": "4",
   "total": {
    "row": "402"
   },
   "parts": [
    "403",
    "404",
    "406",
    "407",
    "408",
    "410",
    "411",
    "412"
   ]
  },
  {
   "name": "4: стр. 409 ≤ стр. 408",
   "kind": "notGreater",
   "section": "4",
   "row": "409",
   "parent": "408"
  },
  {
   "name": "4: гр. 3 = сумма гр. 4–8",
   "kind": "sum",
   "section": "4",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8"
   ]
  },
  {
   "name": "7: гр. 3 = сумма гр. 4–11",
   "kind": "sum",
   "section": "7",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11"
   ]
  },
  {
   "name": "7: стр. 702 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "702",
   "parent": "701"
  },
  {
   "name": "7: стр. 703 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "703",
   "parent": "701"
  },
  {
   "name": "7: стр. 704 ≤ стр. 703",
   "kind": "notGreater",
   "section": "7",
   "row": "704",
   "parent": "703"
  },
  {
   "name": "7: стр. 705 ≤ стр. 703",
   "kind": "notGreater",
   "section": "7",
   "row": "705",
   "parent": "703"
  },
  {
   "name": "7: стр. 706 ≤ стр. 705",
   "kind": "notGreater",
   "section": "7",
   "row": "706",
   "parent": "705"
  },
  {
   "name": "7: стр. 707 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "707",
   "parent": "701"
  },
  {
   "name": "7: стр. 708 ≤ стр. 707",
   "kind": "notGreater",
   "section": "7",
   "row": "708",
   "parent": "707"
  },
  {
   "name": "7: стр. 711 ≤ стр. 701",
   "kind": "notGreater",
   "section": "7",
   "row": "711",
   "parent": "701"
  },
  {
   "name": "7: стр. 712 ≤ стр. 711",
   "kind": "notGreater",
   "section": "7",
   "row": "712",
   "parent": "711"
  },
  {
   "name": "4 стр. 401 гр. 9 = 7 стр. 701 гр. 3",
   "kind": "equal",
   "a": {
    "section": "4",
    "row": "401",
    "column": "9"
   },
   "b": {
    "section": "7",
    "row": "701",
    "column": "3"
   }
  },
  {
   "name": "3.1: гр. 3 = гр. 5 + гр. 7 + гр. 9",
   "kind": "sum",
   "section": "3.1",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "7",
    "9"
   ]
  },
  {
   "name": "3.1: стр. 02 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "02",
   "parent": "01"
  },
  {
   "name": "3.1: стр. 03 ≤ стр. 01",
   "kind": "notGreater",
   "section": "3.1",
   "row": "03",
   "parent": "01"
  },
  {
   "name": "3.2: гр. 3 = сумма гр. 4–13",
   "kind": "sum",
   "section": "3.2",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
    "12",
    "13"
   ]
  },
  {
   "name": "3.3: гр. 3 = сумма гр. 4–9",
   "kind": "sum",
   "section": "3.3",
   "total": {
    "column": "3"
   },
   "parts": [
    "4",
    "5",
    "6",
    "7",
    "8",
    "9"
   ]
  },
  {
   "name": "3.4: гр. 3 = гр. 5 + гр. 6",
   "kind": "sum",
   "section": "3.4",
   "total": {
    "column": "3"
   },
   "parts": [
    "5",
    "6"
   ]
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.2 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.2",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.3 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.3",
    "row": "01",
    "column": "3"
   }
  },
  {
   "name": "3.1 стр. 01 гр. 3 = 3.4 стр. 01 гр. 3",
   "kind": "equal",
   "a": {
    "section": "3.1",
    "row": "01",
    "column": "3"
   },
   "b": {
    "section": "3.4",
    "row": "01",
    "column": "3"
   }
  }
 ]
}$definition$);
